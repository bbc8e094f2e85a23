export * from "./load-balancer-implementation";
export * from "./vip-pair";
export * from "./vip-pair-props";
