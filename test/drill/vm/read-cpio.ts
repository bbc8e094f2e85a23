/** A newc cpio reader for the tests, as the kernel reads an initramfs. */
export interface CpioFile {
  readonly name: string;
  readonly mode: number;
  readonly data: Buffer;
}

export function readCpio(archive: Buffer): CpioFile[] {
  const out: CpioFile[] = [];
  let at = 0;
  const align = (n: number) => (n + 3) & ~3;
  for (;;) {
    const magic = archive.subarray(at, at + 6).toString();
    if (magic !== "070701") throw new Error(`no newc header at ${at}: ${magic}`);
    const field = (i: number) =>
      Number.parseInt(archive.subarray(at + 6 + i * 8, at + 14 + i * 8).toString(), 16);
    const mode = field(1);
    const size = field(6);
    const nameSize = field(11);
    const name = archive.subarray(at + 110, at + 110 + nameSize - 1).toString();
    const dataAt = align(at + 110 + nameSize);
    if (name === "TRAILER!!!") return out;
    out.push({ name, mode, data: archive.subarray(dataAt, dataAt + size) });
    at = align(dataAt + size);
  }
}
