export * from "./health-checked-dns-pool";
export * from "./health-checked-dns-pool-props";
