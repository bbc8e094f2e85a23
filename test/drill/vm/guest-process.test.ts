import { afterEach, describe, expect, test } from "vitest";
import { CommandChannel } from "../../../lib/drill/vm/command-channel";
import { GuestProcess } from "../../../lib/drill/vm/guest-process";
import { b64, FakeAgent } from "./fake-agent";

let agent: FakeAgent | undefined;
let channel: CommandChannel | undefined;
afterEach(() => {
  channel?.close();
  agent?.close();
});

describe("guest process", () => {
  test("it gathers output, tells watchers, signals by its handle and settles when it ends", async () => {
    agent = await FakeAgent.listen((a, r) => {
      if (r.op === "spawn") {
        a.send({ id: r.id, pid: 7 });
        a.send({ proc: r.id, stream: "stdout", data: b64("up\n") });
      } else if (r.op === "signal") {
        a.send({ id: r.id, ok: true });
        a.send({ proc: r.proc, exit: true, code: null, signal: r.signal });
      }
    });
    channel = await CommandChannel.connect(agent.path, 5_000, () => true);
    const p = new GuestProcess(channel, ["keepalived", "-n"]);
    const seen: string[] = [];
    p.onOutput((stream, text) => seen.push(`${stream}:${text}`));
    const m = await channel.request({ op: "spawn" }, 5_000, p.listener);
    p.handle = m.id as number;
    for (let i = 0; i < 50 && p.stdout === ""; i++) await new Promise((r) => setTimeout(r, 10));
    expect(p.stdout).toBe("up\n");
    expect(seen).toEqual(["stdout:up\n"]);
    expect(p.running).toBe(true);
    await p.kill("SIGINT");
    expect(await p.exited).toEqual({ code: null, signal: "SIGINT" });
    expect(p.running).toBe(false);
    expect(agent.requests.at(-1)).toEqual({ op: "signal", proc: p.handle, signal: "SIGINT", id: 2 });
    await p.kill();
    expect(agent.requests).toHaveLength(2);
  });

  test("a VM that goes away ends its processes with VM_GONE", async () => {
    agent = await FakeAgent.listen((a, r) => a.send({ id: r.id, pid: 9 }));
    channel = await CommandChannel.connect(agent.path, 5_000, () => true);
    const p = new GuestProcess(channel, ["sleep", "60"]);
    await channel.request({ op: "spawn" }, 5_000, p.listener);
    agent.hangUp();
    expect(await p.exited).toEqual({ code: null, signal: "VM_GONE" });
  });
});
