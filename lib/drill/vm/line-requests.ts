/**
 * The two halves of a request-reply protocol over a stream of JSON lines, as the VM's command
 * channel and the split lab's VM half speak it: text chunks cut into lines, and requests that
 * wait for the reply carrying their id, each within its own time limit, all failing at once
 * when the stream ends.
 */

/** Cuts a stream of text chunks into lines. */
export class LineBuffer {
  private buffer = "";

  /** The lines `chunk` completes, without their newlines. */
  public push(chunk: string): string[] {
    this.buffer += chunk;
    const nl = this.buffer.lastIndexOf("\n");
    if (nl < 0) return [];
    const lines = this.buffer.slice(0, nl).split("\n");
    this.buffer = this.buffer.slice(nl + 1);
    return lines;
  }

  /** What came after the last newline, taken out of the buffer. */
  public takeRest(): string {
    const rest = this.buffer;
    this.buffer = "";
    return rest;
  }
}

interface Pending<T> {
  resolve(value: T): void;
  reject(e: Error): void;
  timer: NodeJS.Timeout;
}

/** Requests sent and not yet answered, by id (1, 2, ...). */
export class PendingReplies<T> {
  private nextId = 1;
  private readonly pending = new Map<number, Pending<T>>();
  private failedWith: Error | undefined;

  /** The error every request failed with when the stream ended; later ones fail with it at once. */
  public get closedWith(): Error | undefined {
    return this.failedWith;
  }

  /**
   * A new request's id and the promise of its reply: rejected with `timedOut()` when no reply
   * comes within `timeoutMs`, at once when the stream has already ended.
   */
  public open(timeoutMs: number, timedOut: () => Error): { id: number; reply: Promise<T> } {
    const id = this.nextId++;
    const reply = new Promise<T>((resolve, reject) => {
      if (this.failedWith) {
        reject(this.failedWith);
        return;
      }
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(timedOut());
      }, timeoutMs);
      this.pending.set(id, { resolve, reject, timer });
    });
    return { id, reply };
  }

  /** Settles request `id` with its reply; false when no such request waits (late, or unknown). */
  public resolve(id: number, value: T): boolean {
    const p = this.take(id);
    p?.resolve(value);
    return p !== undefined;
  }

  /** Fails request `id`; false when no such request waits. */
  public reject(id: number, e: Error): boolean {
    const p = this.take(id);
    p?.reject(e);
    return p !== undefined;
  }

  /** The stream ended: every waiting request, and every later one, fails with `e` (the first such error). */
  public failAll(e: Error): void {
    if (this.failedWith) return;
    this.failedWith = e;
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.reject(e);
    }
    this.pending.clear();
  }

  private take(id: number): Pending<T> | undefined {
    const p = this.pending.get(id);
    if (!p) return undefined;
    this.pending.delete(id);
    clearTimeout(p.timer);
    return p;
  }
}
