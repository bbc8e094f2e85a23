export * from "./backend-pool";
export * from "./floating-address";
export * from "./haproxy-proxy";
export * from "./load-balancing";
export * from "./vrrp-group";
export * from "./vrrp-options";
export * from "./vrrp-timing";
