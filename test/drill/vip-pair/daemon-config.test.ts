import { describe, expect, test } from "vitest";
import {
  parseClaimAddresses,
  parseHaproxyCfg,
  parseKeepalivedConf,
} from "../../../lib/drill/vip-pair/daemon-config";

describe("reading the generated daemon configuration", () => {
  test("parses a keepalived.conf: instance, priority, advert, preemption, VIP, peers", () => {
    // GIVEN a keepalived.conf with comments, quoted scripts and unicast peers
    const text = [
      "! comment",
      "global_defs {",
      "    vrrp_version 3   # VRRPv3",
      "}",
      'vrrp_script chk { script "/usr/bin/curl --fail http://127.0.0.1:8404/x" }',
      "vrrp_instance VI_7 {",
      "    state BACKUP",
      "    interface eth0",
      "    virtual_router_id 7",
      "    priority 120",
      "    advert_int 0.5",
      "    preempt_delay 4",
      "    unicast_peer {",
      "        10.0.0.2",
      "    }",
      "    virtual_ipaddress {",
      "        10.0.0.10/24 dev eth0",
      "    }",
      "    track_script {",
      "        chk",
      "    }",
      "}",
    ].join("\n");

    // WHEN it is parsed
    const facts = parseKeepalivedConf(text);

    // THEN the instance's facts are read
    expect(facts.vrrpVersion).toBe(3);
    expect(facts.instances).toEqual([
      {
        name: "VI_7",
        initialState: "BACKUP",
        interface: "eth0",
        virtualRouterId: 7,
        priority: 120,
        advertIntervalSeconds: 0.5,
        noPreempt: false,
        preemptDelaySeconds: 4,
        virtualAddresses: ["10.0.0.10"],
        unicastPeers: ["10.0.0.2"],
        trackScripts: ["chk"],
      },
    ]);
  });

  test("reads the addresses of a claim script, without prefix length, one or several", () => {
    const two = "#!/bin/bash\ninstance=VI_51\naddresses='198.18.0.10/24 198.18.0.11/24'\nprobe=0.05\n";
    expect(parseClaimAddresses(two)).toEqual(["198.18.0.10", "198.18.0.11"]);
    expect(parseClaimAddresses("addresses=198.18.0.10/24\n")).toEqual(["198.18.0.10"]);
    expect(parseClaimAddresses("#!/bin/bash\n")).toEqual([]);
  });

  test("throws for an unbalanced keepalived.conf", () => {
    // GIVEN a block that is never closed
    // WHEN it is parsed
    // THEN the parser says so
    expect(() => parseKeepalivedConf("vrrp_instance VI_1 {\n state MASTER\n")).toThrow(/unbalanced/);
  });

  test("parses an haproxy.cfg: binds, X-Load-Balancer and the servers of the default backend", () => {
    // GIVEN a small haproxy.cfg
    const text = [
      "global",
      "    maxconn 10",
      "frontend fe",
      "    bind 10.0.0.10:80",
      "    http-response set-header X-Load-Balancer lb-a",
      "    default_backend be",
      "backend be",
      "    server a 10.0.0.2:8080 check",
      "    server b 10.0.0.3:8081",
    ].join("\n");

    // WHEN it is parsed
    const facts = parseHaproxyCfg(text);

    // THEN the frontend and the backend's servers are read
    expect(facts.frontends).toEqual([
      {
        name: "fe",
        binds: [{ address: "10.0.0.10", port: 80 }],
        defaultBackend: "be",
        loadBalancerHeader: "lb-a",
      },
    ]);
    expect(facts.backends.get("be")).toEqual([
      { name: "a", address: "10.0.0.2", port: 8080 },
      { name: "b", address: "10.0.0.3", port: 8081 },
    ]);
  });
});
