/**
 * Loads an optional peer dependency's modules on first use, once. The provider packages are
 * optional peers: importing this library must not require them unless their platform is used,
 * and a missing one must say which package to install.
 */
export function optionalPeer<T>(pkg: string, load: () => T): () => T {
  let loaded: T | undefined;
  return () => {
    if (loaded === undefined) {
      try {
        loaded = load();
      } catch (e) {
        throw new Error(
          `this platform needs the optional peer dependency ${pkg} (npm install ${pkg}): ${(e as Error).message}`,
        );
      }
    }
    return loaded;
  };
}
