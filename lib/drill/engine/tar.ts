/**
 * A minimal POSIX ustar writer: what the Engine API takes for build contexts and for the
 * archive endpoint (uploads). Regular files and directories only; deterministic (mtime 0,
 * uid/gid 0, entries in the order given), so the same files give the same bytes and hash.
 */
import { lstatSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { EngineError } from "./engine-error";

/** One entry of an archive. */
export interface TarEntry {
  /** Path inside the archive, without a leading `/` (`etc/haproxy/haproxy.cfg`). */
  readonly path: string;
  /** File content; undefined for a directory. */
  readonly content?: Buffer;
  /** Permission bits, e.g. 0o644. */
  readonly mode: number;
}

const BLOCK = 512;

function octal(value: number, width: number): string {
  return `${value.toString(8).padStart(width - 1, "0")}\0`;
}

function splitName(path: string): { name: string; prefix: string } {
  if (Buffer.byteLength(path) <= 100) return { name: path, prefix: "" };
  const cut = path.lastIndexOf("/", 155);
  const name = path.slice(cut + 1);
  const prefix = path.slice(0, cut);
  if (cut <= 0 || Buffer.byteLength(name) > 100 || Buffer.byteLength(prefix) > 155) {
    throw new EngineError(`tar: path ${JSON.stringify(path)} is too long for a ustar archive`);
  }
  return { name, prefix };
}

function header(entry: TarEntry): Buffer {
  const dir = entry.content === undefined;
  const path = dir && !entry.path.endsWith("/") ? `${entry.path}/` : entry.path;
  if (path.startsWith("/") || path.split("/").includes("..")) {
    throw new EngineError(`tar: path ${JSON.stringify(entry.path)} must be relative and without ..`);
  }
  const { name, prefix } = splitName(path);
  const h = Buffer.alloc(BLOCK, 0);
  h.write(name, 0, 100, "utf8");
  h.write(octal(entry.mode & 0o7777, 8), 100, "ascii");
  h.write(octal(0, 8), 108, "ascii");
  h.write(octal(0, 8), 116, "ascii");
  h.write(octal(dir ? 0 : (entry.content as Buffer).length, 12), 124, "ascii");
  h.write(octal(0, 12), 136, "ascii");
  h.write("        ", 148, "ascii");
  h.write(dir ? "5" : "0", 156, "ascii");
  h.write("ustar\0", 257, "ascii");
  h.write("00", 263, "ascii");
  h.write("root", 265, "ascii");
  h.write("root", 297, "ascii");
  h.write(prefix, 345, 155, "utf8");
  let sum = 0;
  for (const byte of h) sum += byte;
  h.write(`${sum.toString(8).padStart(6, "0")}\0 `, 148, "ascii");
  return h;
}

/** The archive of `entries`, with the two zero blocks that end it. */
export function tarArchive(entries: readonly TarEntry[]): Buffer {
  const parts: Buffer[] = [];
  for (const entry of entries) {
    parts.push(header(entry));
    if (entry.content !== undefined) {
      parts.push(entry.content);
      const pad = (BLOCK - (entry.content.length % BLOCK)) % BLOCK;
      if (pad) parts.push(Buffer.alloc(pad, 0));
    }
  }
  parts.push(Buffer.alloc(2 * BLOCK, 0));
  return Buffer.concat(parts);
}

/**
 * The entries of a directory tree (a build context), sorted by path, with each file's
 * permission bits. Symbolic links and special files are refused: a build context from the
 * synthesizer holds plain files only.
 */
export function directoryEntries(root: string): TarEntry[] {
  const out: TarEntry[] = [];
  const walk = (dir: string, rel: string) => {
    for (const name of readdirSync(dir).sort()) {
      const full = join(dir, name);
      const path = rel ? `${rel}/${name}` : name;
      const st = lstatSync(full, { throwIfNoEntry: false });
      if (!st) throw new EngineError(`build context: ${full} vanished while being read`);
      if (st.isDirectory()) {
        out.push({ path, mode: st.mode & 0o7777 });
        walk(full, path);
      } else if (st.isFile()) {
        out.push({ path, mode: st.mode & 0o7777, content: readFileSync(full) });
      } else {
        throw new EngineError(`build context: ${full} is neither a file nor a directory`);
      }
    }
  };
  walk(root, "");
  return out;
}
