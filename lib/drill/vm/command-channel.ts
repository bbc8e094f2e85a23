/**
 * The host's end of the command channel: JSON lines over the unix socket qemu serves for the
 * guest's virtio-serial port (the protocol is described with the agent). Requests carry ids;
 * replies settle them; output and exit notices of spawned processes go to their listeners.
 */
import { connect, type Socket } from "node:net";
import { VmError } from "./vm-error";

/** A message from the guest. */
export type GuestMessage = Record<string, unknown>;

/** What a spawned process's listener hears. */
export interface ProcessListener {
  output(stream: "stdout" | "stderr", data: Buffer): void;
  exit(code: number | null, signal: string | null): void;
}

interface Pending {
  resolve(m: GuestMessage): void;
  reject(e: Error): void;
  timer: NodeJS.Timeout;
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
  private readonly pending = new Map<number, Pending>();
  private readonly listeners = new Map<number, ProcessListener>();
  private nextId = 1;
  private buffer = "";
  private closedWith: Error | undefined;
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
    this.buffer += chunk;
    for (let nl = this.buffer.indexOf("\n"); nl >= 0; nl = this.buffer.indexOf("\n")) {
      const line = this.buffer.slice(0, nl).trim();
      this.buffer = this.buffer.slice(nl + 1);
      if (line) this.dispatch(JSON.parse(line) as GuestMessage);
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
    const p = typeof m.id === "number" ? this.pending.get(m.id) : undefined;
    if (!p) return;
    this.pending.delete(m.id as number);
    clearTimeout(p.timer);
    if (typeof m.error === "string") {
      this.listeners.delete(m.id as number);
      p.reject(new VmError(`VM agent: ${m.error}`));
    } else p.resolve(m);
  }

  private fail(e: Error): void {
    if (this.closedWith) return;
    this.closedWith = e;
    this.refuse(e);
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.reject(e);
    }
    this.pending.clear();
    for (const l of this.listeners.values()) l.exit(null, "VM_GONE");
    this.listeners.clear();
  }

  /** Sends `request` (an id is added) and waits for its reply, at most `timeoutMs`. */
  public request(
    request: Record<string, unknown>,
    timeoutMs: number,
    listener?: ProcessListener,
  ): Promise<GuestMessage> {
    if (this.closedWith) return Promise.reject(this.closedWith);
    const id = this.nextId++;
    if (listener) this.listeners.set(id, listener);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new VmError(`VM agent gave no answer to ${String(request.op)} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, { resolve, reject, timer });
      this.socket.write(`${JSON.stringify({ ...request, id })}\n`);
    });
  }

  /** Closes the socket; pending requests fail. */
  public close(): void {
    this.fail(new VmError("the VM's command channel was closed"));
    this.socket.destroy();
  }
}
