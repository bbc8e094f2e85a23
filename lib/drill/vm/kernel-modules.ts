/**
 * Kernel modules by name, in the order they load: what the initramfs must insert before it can
 * mount the root (virtio, 9p, overlay), found in the kernel's own `modules.dep` as modprobe
 * finds them, so no module is guessed or missed.
 */
import { existsSync, readFileSync } from "node:fs";
import { basename, join } from "node:path";
import { VmError } from "./vm-error";

/** The name modprobe knows a module file by (`9pnet_virtio.ko` -> `9pnet_virtio`). */
export function moduleName(file: string): string {
  return basename(file)
    .replace(/\.ko(\.(xz|zst|gz))?$/, "")
    .replace(/-/g, "_");
}

/** A parsed `modules.dep`: each module's file (relative to the module folder) and dependencies. */
export interface ModuleIndex {
  readonly files: ReadonlyMap<string, string>;
  readonly deps: ReadonlyMap<string, readonly string[]>;
  readonly builtin: ReadonlySet<string>;
}

/** Parses `modules.dep` text and, if given, `modules.builtin` text. */
export function parseModuleIndex(modulesDep: string, modulesBuiltin = ""): ModuleIndex {
  const files = new Map<string, string>();
  const deps = new Map<string, string[]>();
  for (const line of modulesDep.split("\n")) {
    const colon = line.indexOf(":");
    if (colon <= 0) continue;
    const file = line.slice(0, colon).trim();
    const name = moduleName(file);
    files.set(name, file);
    deps.set(
      name,
      line
        .slice(colon + 1)
        .trim()
        .split(/\s+/)
        .filter(Boolean)
        .map(moduleName),
    );
  }
  const builtin = new Set(modulesBuiltin.split("\n").filter(Boolean).map(moduleName));
  return { files, deps, builtin };
}

/** Reads the index of the module folder `modulesDir`. */
export function readModuleIndex(modulesDir: string): ModuleIndex {
  const dep = join(modulesDir, "modules.dep");
  if (!existsSync(dep)) throw new VmError(`${dep} is missing: the kernel's modules are not installed`);
  const builtinPath = join(modulesDir, "modules.builtin");
  return parseModuleIndex(
    readFileSync(dep, "utf8"),
    existsSync(builtinPath) ? readFileSync(builtinPath, "utf8") : "",
  );
}

/**
 * The module files to insert, in order, so that every module of `names` is loaded: each
 * dependency before what needs it, none twice, built-in modules left out; throws for a name the
 * kernel has neither as a module nor built in.
 */
export function loadOrder(index: ModuleIndex, names: readonly string[]): string[] {
  const order: string[] = [];
  const seen = new Set<string>();
  const add = (name: string): void => {
    if (seen.has(name) || index.builtin.has(name)) return;
    const file = index.files.get(name);
    if (file === undefined) throw new VmError(`the guest kernel has no module ${name}`);
    seen.add(name);
    order.push(file);
  };
  for (const raw of names) {
    const name = moduleName(raw);
    if (index.builtin.has(name)) continue;
    if (!index.files.has(name)) throw new VmError(`the guest kernel has no module ${name}`);
    // modules.dep lists the whole closure, the deepest last: load it from the end.
    for (const dep of [...(index.deps.get(name) ?? [])].reverse()) add(dep);
    add(name);
  }
  return order;
}
