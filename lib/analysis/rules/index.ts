export * from "./one-failure-domain";
export * from "./pack";
export * from "./rule";
export * from "./single-point-of-failure";
export * from "./vrid-clash";
