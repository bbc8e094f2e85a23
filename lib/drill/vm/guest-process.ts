/**
 * A long-running process in the guest (a daemon, a client loop): its output as it prints, its
 * end, and signals by the agent's handle (delivered to its whole process group).
 */
import type { CommandChannel, ProcessListener } from "./command-channel";

/** How a guest process ended; `signal` is `VM_GONE` when the VM went away first. */
export interface GuestExit {
  readonly code: number | null;
  readonly signal: string | null;
}

/** A process started by `VirtualMachine.spawn`. */
export class GuestProcess {
  /** Output so far. */
  public stdout = "";
  public stderr = "";
  /** Settles when the process ended. */
  public readonly exited: Promise<GuestExit>;
  private ended: GuestExit | undefined;
  private settle: (e: GuestExit) => void = () => undefined;
  private readonly watchers: ((stream: "stdout" | "stderr", text: string) => void)[] = [];

  /** @internal Made by `VirtualMachine.spawn` with the listener it registers. */
  public constructor(
    private readonly channel: CommandChannel,
    readonly argv: readonly string[],
  ) {
    this.exited = new Promise((resolve) => {
      this.settle = resolve;
    });
  }

  /** Handle of the agent's request, set once the guest started the process. */
  public handle = 0;
  /** PID inside the guest. */
  public pid = 0;

  /** The listener the channel feeds. */
  public get listener(): ProcessListener {
    return {
      output: (stream, data) => {
        const text = data.toString("utf8");
        if (stream === "stdout") this.stdout += text;
        else this.stderr += text;
        for (const w of this.watchers) w(stream, text);
      },
      exit: (code, signal) => {
        this.ended = { code, signal };
        this.settle(this.ended);
      },
    };
  }

  /** Whether it still runs. */
  public get running(): boolean {
    return this.ended === undefined;
  }

  /** Calls `watch` with every piece of output from now on. */
  public onOutput(watch: (stream: "stdout" | "stderr", text: string) => void): void {
    this.watchers.push(watch);
  }

  /** Writes pending on the agent, in order: each waits for the one before (the agent serves requests in threads). */
  private input: Promise<unknown> = Promise.resolve();

  /**
   * Writes `data` to the process's standard input (spawned with `stdin: true`); writes reach it
   * in the order they were made. Rejects when the process no longer reads it.
   */
  public write(data: string | Buffer): Promise<void> {
    const encoded = Buffer.from(data).toString("base64");
    const sent = this.input.then(() =>
      this.channel.request({ op: "input", proc: this.handle, data: encoded }, 30_000),
    );
    this.input = sent.catch(() => undefined);
    return sent.then(() => undefined);
  }

  /** Closes the process's standard input (after every write made before). */
  public closeInput(): Promise<void> {
    const sent = this.input.then(() =>
      this.channel.request({ op: "input", proc: this.handle, close: true }, 30_000),
    );
    this.input = sent.catch(() => undefined);
    return sent.then(() => undefined);
  }

  /** Sends `signal` (a name such as `SIGTERM`) to the process group. */
  public async kill(signal = "SIGTERM"): Promise<void> {
    if (!this.running) return;
    await this.channel.request({ op: "signal", proc: this.handle, signal }, 30_000);
  }
}
