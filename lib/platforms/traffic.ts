import { type ErrorLocation, invalid } from "../errors";
import { assertPort } from "../model/config-text";
import { parseIpv4Cidr } from "../model/ipam";

/** Anything whose hosts share firewall rules: a backend pool, a VIP pair's nodes, a tier. */
export interface ITrafficPeer {
  /** The traffic group of its hosts (HostSpec.trafficGroup). */
  readonly trafficGroup: string;
}

/** Transport of a traffic rule. */
export enum TrafficTransport {
  TCP = "tcp",
  UDP = "udp",
  /** A raw IP protocol by number (VRRP 112, IP-in-IP 4, GRE 47). */
  IP_PROTOCOL = "ip-protocol",
}

/** What kind of traffic a rule admits. */
export class Traffic {
  /** TCP to `port`, or to the range `port`..`toPort`. */
  public static tcp(port: number, toPort?: number): Traffic {
    return new Traffic(TrafficTransport.TCP, port, toPort ?? port, undefined, `tcp/${range(port, toPort)}`);
  }

  /** UDP to `port`, or to the range `port`..`toPort`. */
  public static udp(port: number, toPort?: number): Traffic {
    return new Traffic(TrafficTransport.UDP, port, toPort ?? port, undefined, `udp/${range(port, toPort)}`);
  }

  /** A raw IP protocol, e.g. `Traffic.ipProtocol(47, "gre")`. */
  public static ipProtocol(protocolNumber: number, name: string): Traffic {
    return new Traffic(TrafficTransport.IP_PROTOCOL, undefined, undefined, protocolNumber, name);
  }

  /** VRRP adverts (IP protocol 112). */
  public static vrrp(): Traffic {
    return Traffic.ipProtocol(112, "vrrp");
  }

  private constructor(
    public readonly transport: TrafficTransport,
    /** First port (TCP, UDP). */
    public readonly fromPort: number | undefined,
    /** Last port (TCP, UDP), equal to `fromPort` for one port. */
    public readonly toPort: number | undefined,
    /** IP protocol number (IP_PROTOCOL). */
    public readonly protocolNumber: number | undefined,
    /** Short description, e.g. "tcp/80" or "vrrp". */
    public readonly label: string,
  ) {}

  /** Throws a ValidationError at `where` for ports or protocol numbers out of range. */
  public validate(where: ErrorLocation): void {
    if (this.transport === TrafficTransport.IP_PROTOCOL) {
      const n = this.protocolNumber as number;
      if (!Number.isInteger(n) || n < 0 || n > 255 || n === 6 || n === 17) {
        invalid(where, "IP protocol", n, "use 0-255 other than 6 and 17 (use Traffic.tcp/udp for those)");
      }
      return;
    }
    assertPort(where, "port", this.fromPort as number);
    assertPort(where, "port", this.toPort as number);
    if ((this.toPort as number) < (this.fromPort as number)) {
      invalid(where, "port range", this.label, "give the lower port first");
    }
  }
}

/** Who may send a rule's traffic. */
export enum TrafficSourceKind {
  GROUP = "group",
  CLIENTS = "clients",
  CIDR = "cidr",
}

/** The sender side of a traffic rule. */
export class TrafficSource {
  /** The hosts of a traffic group (a pool, a VIP pair's nodes, a tier). */
  public static group(peer: ITrafficPeer): TrafficSource {
    return new TrafficSource(TrafficSourceKind.GROUP, peer.trafficGroup);
  }

  /** The clients the platform admits to listeners (AWS: `allowedClientCidrs`). */
  public static clients(): TrafficSource {
    return new TrafficSource(TrafficSourceKind.CLIENTS, "clients");
  }

  /** An IPv4 range, e.g. a monitoring network. */
  public static cidr(cidr: string): TrafficSource {
    return new TrafficSource(TrafficSourceKind.CIDR, cidr);
  }

  private constructor(
    public readonly kind: TrafficSourceKind,
    /** The group id, "clients", or the CIDR. */
    public readonly value: string,
  ) {}

  /** Throws a ValidationError at `where` for a malformed CIDR. */
  public validate(where: ErrorLocation): void {
    if (this.kind === TrafficSourceKind.CIDR) parseIpv4Cidr(where, "traffic source", this.value);
  }
}

/**
 * Intent: hosts of `toGroup` accept `traffic` from `from`. Platforms that filter traffic (AWS
 * security groups) open exactly these flows; a Docker bridge has no firewall between containers.
 * Topologies state rules through the parts' verbs (`pool.allowFrom(peer)`), not by hand.
 */
export interface TrafficRule {
  /** Traffic group (HostSpec.trafficGroup) of the receiving hosts. */
  readonly toGroup: string;
  readonly traffic: Traffic;
  readonly from: TrafficSource;
  readonly description: string;
}

function range(port: number, toPort: number | undefined): string {
  return toPort === undefined || toPort === port ? String(port) : `${port}-${toPort}`;
}
