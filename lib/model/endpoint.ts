import type { HealthCheck } from "./health-check";

/**
 * An address that serves a port and can be health-checked from outside: a member of a
 * health-checked DNS name. A VIP pair gives one for its virtual IP (`vipPair.asEndpoint()`);
 * `fixedEndpoint` describes one the stack does not make.
 */
export interface IEndpoint {
  /** A short name for configuration and reports (letters, digits, '-'). */
  readonly endpointName: string;
  /** The address clients connect to; read at synthesis (addresses are given out lazily). */
  readonly address: string;
  readonly port: number;
  /** How a checker outside the endpoint tells whether it serves. */
  readonly healthCheck: HealthCheck;
  /** The HA report's component or group the endpoint stands for. */
  readonly componentId: string;
  /**
   * The traffic group of the hosts behind the address, which must admit the checkers.
   * @default - none: the endpoint is not on the platform, its firewall is its owner's
   */
  readonly trafficGroup?: string;
}

/** Options of a fixed endpoint. */
export interface FixedEndpointOptions {
  readonly name: string;
  readonly address: string;
  readonly port: number;
  readonly healthCheck: HealthCheck;
}

/** An endpoint the stack does not make (another site's balancer, a service on a host you run). */
export function fixedEndpoint(options: FixedEndpointOptions): IEndpoint {
  return {
    endpointName: options.name,
    address: options.address,
    port: options.port,
    healthCheck: options.healthCheck,
    componentId: `endpoint:${options.name}`,
  };
}
