/**
 * A stand-in for the guest's agent on a unix socket, for the channel's unit tests: it answers
 * as the real agent does (announces itself, replies by id, streams a spawned process) under the
 * test's control.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

export type Request = Record<string, unknown> & { id: number; op: string };

/** The fake agent: `requests` seen so far, `send` to write a line to the host. */
export class FakeAgent {
  public static async listen(answer: (agent: FakeAgent, r: Request) => void): Promise<FakeAgent> {
    const dir = mkdtempSync(join(tmpdir(), "ha-vm-fake-"));
    const agent = new FakeAgent(dir, answer);
    await new Promise<void>((resolve) => agent.server.listen(agent.path, resolve));
    return agent;
  }

  public readonly requests: Request[] = [];
  public readonly path: string;
  private readonly server: Server;
  private socket: Socket | undefined;

  private constructor(
    private readonly dir: string,
    answer: (agent: FakeAgent, r: Request) => void,
  ) {
    this.path = join(dir, "control.sock");
    this.server = createServer((s) => {
      this.socket = s;
      let buffer = "";
      s.on("data", (d) => {
        buffer += d.toString();
        for (let nl = buffer.indexOf("\n"); nl >= 0; nl = buffer.indexOf("\n")) {
          const r = JSON.parse(buffer.slice(0, nl)) as Request;
          buffer = buffer.slice(nl + 1);
          this.requests.push(r);
          answer(this, r);
        }
      });
    });
  }

  public send(message: Record<string, unknown>): void {
    this.socket?.write(`${JSON.stringify(message)}\n`);
  }

  /** Drops the connection, as a VM that died would. */
  public hangUp(): void {
    this.socket?.destroy();
  }

  public close(): void {
    this.socket?.destroy();
    this.server.close();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export function b64(text: string): string {
  return Buffer.from(text).toString("base64");
}
