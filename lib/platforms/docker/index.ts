export * from "./docker-host";
export * from "./docker-platform";
export * from "./docker-segment";
