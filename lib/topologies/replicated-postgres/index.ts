export type { PatroniTiming, RouterCheckTiming } from "./patroni-timing";
export * from "./replicated-postgres";
export * from "./replicated-postgres-props";
