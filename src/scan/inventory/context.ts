/** What every cataloguer of the inventory is given: the scanned files, the distro, a warning sink. */
import type { Distro, ImageFiles } from '../types.ts';

export interface CatalogueContext {
  readonly files: ImageFiles;
  readonly distro: Distro;
  /** A record that could not be read: skipped, never fatal. */
  readonly warn: (path: string, message: string) => void;
}

/** The text of a kept file, or undefined when the scan did not keep it. */
export function text(ctx: CatalogueContext, path: string): string | undefined {
  return ctx.files.contents.get(path)?.toString('utf8');
}

/** Kept paths matching `re`, sorted (so output order never depends on layer order). */
export function keptPaths(ctx: CatalogueContext, re: RegExp): string[] {
  return [...ctx.files.contents.keys()].filter((p) => re.test(p)).sort();
}
