export * from "./three-tier";
export * from "./three-tier-props";
