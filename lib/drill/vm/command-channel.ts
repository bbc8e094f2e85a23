/**
 * The host's end of the command channel: JSON lines over the unix socket qemu serves for the
 * guest's virtio-serial port (the protocol is described with the agent). Requests carry ids;
 * replies settle them; output and exit notices of spawned processes go to their listeners.
 */
import { connect, type Socket } from "node:net";
import { LineBuffer, PendingReplies } from "./line-requests";
import { VmError } from "./vm-error";

/** A message from the guest. */
export type GuestMessage = Record<string, unknown>;

/** What a spawned process's listener hears. */
export interface ProcessListener {
  output(stream: "stdout" | "stderr", data: Buffer): void;
  exit(code: number | null, signal: string | null): void;
}

function connectOnce(path: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect(path);
    s.once("connect", () => {
      s.off("error", reject);
      resolve(s);
    });
    s.once("error", reject);
  });
}

/** A connected channel; `ready` settles when the agent announced itself. */
export class CommandChannel {
  /** Connects to `path`, retrying while qemu has not made the socket yet (at most `timeoutMs`). */
  public static async connect(
    path: string,
    timeoutMs: number,
    stillUp: () => boolean,
  ): Promise<CommandChannel> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        return new CommandChannel(await connectOnce(path));
      } catch (e) {
        if (!stillUp() || Date.now() >= deadline) {
          throw new VmError(`cannot connect to the VM's command socket ${path}: ${(e as Error).message}`);
        }
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  }

  /** The agent's first message (`ready`, guest uptime, boot errors). */
  public readonly ready: Promise<GuestMessage>;
  private readonly pending = new PendingReplies<GuestMessage>();
  private readonly listeners = new Map<number, ProcessListener>();
  private readonly lines = new LineBuffer();
  private announce: (m: GuestMessage) => void = () => undefined;
  private refuse: (e: Error) => void = () => undefined;

  private constructor(private readonly socket: Socket) {
    this.ready = new Promise((resolve, reject) => {
      this.announce = resolve;
      this.refuse = reject;
    });
    this.ready.catch(() => undefined);
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => this.receive(chunk));
    socket.on("error", (e) => this.fail(new VmError(`VM command channel: ${e.message}`)));
    socket.on("close", () => this.fail(new VmError("the VM's command channel closed")));
  }

  private receive(chunk: string): void {
    for (const line of this.lines.push(chunk)) {
      if (line.trim()) this.dispatch(JSON.parse(line) as GuestMessage);
    }
  }

  private dispatch(m: GuestMessage): void {
    if (m.ready === true) {
      this.announce(m);
      return;
    }
    if (typeof m.proc === "number") {
      const l = this.listeners.get(m.proc);
      if (l && typeof m.data === "string") l.output(m.stream as "stdout", Buffer.from(m.data, "base64"));
      if (l && m.exit === true) {
        this.listeners.delete(m.proc);
        l.exit((m.code as number | null) ?? null, (m.signal as string | null) ?? null);
      }
      return;
    }
    if (typeof m.id !== "number") return;
    if (typeof m.error === "string") {
      if (this.pending.reject(m.id, new VmError(`VM agent: ${m.error}`))) this.listeners.delete(m.id);
    } else this.pending.resolve(m.id, m);
  }

  private fail(e: Error): void {
    if (this.pending.closedWith) return;
    this.pending.failAll(e);
    this.refuse(e);
    for (const l of this.listeners.values()) l.exit(null, "VM_GONE");
    this.listeners.clear();
  }

  /** Sends `request` (an id is added) and waits for its reply, at most `timeoutMs`. */
  public request(
    request: Record<string, unknown>,
    timeoutMs: number,
    listener?: ProcessListener,
  ): Promise<GuestMessage> {
    if (this.pending.closedWith) return Promise.reject(this.pending.closedWith);
    const { id, reply } = this.pending.open(
      timeoutMs,
      () => new VmError(`VM agent gave no answer to ${String(request.op)} within ${timeoutMs} ms`),
    );
    if (listener) this.listeners.set(id, listener);
    this.socket.write(`${JSON.stringify({ ...request, id })}\n`);
    return reply;
  }

  /** Closes the socket; pending requests fail. */
  public close(): void {
    this.fail(new VmError("the VM's command channel was closed"));
    this.socket.destroy();
  }
}
