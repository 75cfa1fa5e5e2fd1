/**
 * .dockerignore and .distillignore: which project files stay out of the image. Docker's own
 * semantics (patterns relative to the project root, `*`, `?`, `**`, `!` exceptions, last match
 * wins) come from @balena/dockerignore, a port of moby's matcher. .distillignore is read after
 * .dockerignore, so its `!` lines can bring back what .dockerignore leaves out.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { Ignore } from '@balena/dockerignore';

// A CommonJS module whose typings declare an ES default export: load it the CommonJS way.
const dockerignore = createRequire(import.meta.url)('@balena/dockerignore') as (o?: {
  ignorecase?: boolean;
}) => Ignore;

/** Ignore files, in the order their rules apply. */
export const IGNORE_FILES = ['.dockerignore', '.distillignore'] as const;

/** Always left out: distill's default output folder, when it sits in the project. */
const ALWAYS = ['distill-out'];

export interface IgnoreRules {
  /** True when the project-relative POSIX path is left out. */
  ignored: (relPath: string) => boolean;
  /** True when some rule is an exception (`!x`): a left-out directory may still hold kept files. */
  hasExceptions: boolean;
  /** The rules, in order (for the layer cache key). */
  patterns: string[];
}

/** Rules from pattern lines (comments and blank lines dropped, as docker does). */
export function ignoreRules(lines: readonly string[]): IgnoreRules {
  const patterns = [...ALWAYS, ...lines.map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'))];
  const ig = dockerignore({ ignorecase: false }).add(patterns);
  return {
    patterns,
    hasExceptions: patterns.some((p) => p.startsWith('!')),
    ignored: (rel) => rel !== '' && rel !== '.' && ig.ignores(rel),
  };
}

/** Reads DIR/.dockerignore and DIR/.distillignore (either may be missing). */
export async function loadIgnoreRules(dir: string): Promise<IgnoreRules> {
  const lines: string[] = [];
  for (const name of IGNORE_FILES) {
    try {
      lines.push(...(await readFile(join(dir, name), 'utf8')).split(/\r?\n/));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
  }
  return ignoreRules(lines);
}
