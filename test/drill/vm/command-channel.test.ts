import { afterEach, describe, expect, test } from "vitest";
import { CommandChannel } from "../../../lib/drill/vm/command-channel";
import { VmError } from "../../../lib/drill/vm/vm-error";
import { b64, FakeAgent } from "./fake-agent";

let agent: FakeAgent | undefined;
let channel: CommandChannel | undefined;
afterEach(() => {
  channel?.close();
  agent?.close();
});

describe("command channel", () => {
  test("it retries until the socket exists, then hears the agent announce itself", async () => {
    agent = await FakeAgent.listen(() => undefined);
    const connecting = CommandChannel.connect(agent.path, 5_000, () => true);
    channel = await connecting;
    agent.send({ ready: true, uptime: 4.2, bootErrors: "" });
    expect(await channel.ready).toEqual({ ready: true, uptime: 4.2, bootErrors: "" });
  });

  test("it gives up on a socket that never appears, or when qemu is gone", async () => {
    await expect(CommandChannel.connect("/nonexistent/control.sock", 200, () => true)).rejects.toThrow(
      VmError,
    );
    const t0 = Date.now();
    await expect(CommandChannel.connect("/nonexistent/control.sock", 10_000, () => false)).rejects.toThrow(
      /cannot connect/,
    );
    expect(Date.now() - t0).toBeLessThan(1_000);
  });

  test("replies settle their requests by id, in any order; an agent error rejects", async () => {
    agent = await FakeAgent.listen((a, r) => {
      if (r.op === "slow") setTimeout(() => a.send({ id: r.id, code: 1 }), 50);
      else if (r.op === "bad") a.send({ id: r.id, error: "KeyError: 'argv'" });
      else a.send({ id: r.id, code: 0, stdout: b64("ok") });
    });
    channel = await CommandChannel.connect(agent.path, 5_000, () => true);
    const slow = channel.request({ op: "slow" }, 5_000);
    const fast = channel.request({ op: "exec", argv: ["true"] }, 5_000);
    expect(await fast).toEqual({ id: 2, code: 0, stdout: b64("ok") });
    expect(await slow).toEqual({ id: 1, code: 1 });
    await expect(channel.request({ op: "bad" }, 5_000)).rejects.toThrow("VM agent: KeyError: 'argv'");
    expect(agent.requests.map((r) => [r.id, r.op])).toEqual([
      [1, "slow"],
      [2, "exec"],
      [3, "bad"],
    ]);
  });

  test("a request without an answer times out; a hang-up fails what is pending and what comes after", async () => {
    agent = await FakeAgent.listen(() => undefined);
    channel = await CommandChannel.connect(agent.path, 5_000, () => true);
    await expect(channel.request({ op: "exec" }, 100)).rejects.toThrow(/no answer to exec within 100 ms/);
    const pending = channel.request({ op: "exec" }, 5_000);
    agent.hangUp();
    // A reset or a close, as the kernel reports it: both end the channel.
    await expect(pending).rejects.toThrow(/command channel/);
    await expect(channel.ready).rejects.toThrow(VmError);
    await expect(channel.request({ op: "ping" }, 5_000)).rejects.toThrow(/command channel/);
  });

  test("a spawned process's output and exit go to its listener", async () => {
    agent = await FakeAgent.listen((a, r) => {
      a.send({ id: r.id, pid: 42 });
      a.send({ proc: r.id, stream: "stdout", data: b64("line 1\n") });
      a.send({ proc: r.id, stream: "stderr", data: b64("warn\n") });
      a.send({ proc: r.id, exit: true, code: 3, signal: null });
    });
    channel = await CommandChannel.connect(agent.path, 5_000, () => true);
    const heard: string[] = [];
    const done = new Promise<void>((resolve) => {
      void channel?.request({ op: "spawn" }, 5_000, {
        output: (stream, data) => heard.push(`${stream}:${data.toString()}`),
        exit: (code, signal) => {
          heard.push(`exit:${code}:${signal}`);
          resolve();
        },
      });
    });
    await done;
    expect(heard).toEqual(["stdout:line 1\n", "stderr:warn\n", "exit:3:null"]);
  });
});
