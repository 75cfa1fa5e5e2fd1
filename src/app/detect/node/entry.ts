/** Which script a Node.js project runs: distill.yaml `main`, `npm start`'s `node FILE`, package.json `main`, index.js. */
import { stat } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { AppError } from '../../errors.ts';

export interface NodeEntry {
  /** Project-relative script path. */
  file: string;
  /** Node options before the script (`--enable-source-maps`). */
  nodeArgs: string[];
  /** Arguments after the script. */
  args: string[];
  reason: string;
}

interface PackageJson {
  main?: unknown;
  scripts?: Record<string, unknown>;
}

const isFile = (p: string) =>
  stat(p).then(
    (s) => s.isFile(),
    () => false,
  );

/** `node [opts] FILE [args]` with no shell syntax; undefined for anything else (`nodemon x`, `a && b`). */
export function parseStartScript(
  script: string,
): { file: string; nodeArgs: string[]; args: string[] } | undefined {
  if (/[;&|<>`$()]/.test(script)) return undefined;
  const words = script.trim().split(/\s+/);
  if (words[0] !== 'node') return undefined;
  const nodeArgs: string[] = [];
  let i = 1;
  while (i < words.length && (words[i] as string).startsWith('-')) nodeArgs.push(words[i++] as string);
  const file = words[i];
  if (!file) return undefined;
  return { file, nodeArgs, args: words.slice(i + 1) };
}

/** Resolves `x`, `x.js`, `x/index.js` like require() would, relative to the project. */
async function resolveScript(dir: string, rel: string): Promise<string | undefined> {
  const clean = posix.normalize(rel.replace(/^\.\//, ''));
  if (clean.startsWith('..') || posix.isAbsolute(clean)) return undefined;
  for (const c of [clean, `${clean}.js`, `${clean}.mjs`, `${clean}.cjs`, posix.join(clean, 'index.js')])
    if (await isFile(join(dir, c))) return c;
  return undefined;
}

/** The entry script of the project in `dir`, saying why; APP_NODE_ENTRY_NOT_FOUND when there is none. */
export async function nodeEntry(dir: string, pkg: PackageJson, configMain?: string): Promise<NodeEntry> {
  const looked: string[] = [];
  if (configMain) {
    const f = await resolveScript(dir, configMain);
    if (!f)
      throw new AppError(
        'APP_NODE_ENTRY_NOT_FOUND',
        `distill.yaml main: ${configMain} is not a file in the project`,
      );
    return { file: f, nodeArgs: [], args: [], reason: `entry ${f}: distill.yaml main` };
  }
  const start = pkg.scripts?.start;
  if (typeof start === 'string') {
    const s = parseStartScript(start);
    if (s) {
      const f = await resolveScript(dir, s.file);
      if (f) return { ...s, file: f, reason: `entry ${f}: the start script is "${start}"` };
      looked.push(`start script "${start}" (${s.file} not found)`);
    } else looked.push(`start script "${start}" (not of the form \`node FILE\`)`);
  }
  if (typeof pkg.main === 'string') {
    const f = await resolveScript(dir, pkg.main);
    if (f) return { file: f, nodeArgs: [], args: [], reason: `entry ${f}: package.json main` };
    looked.push(`main "${pkg.main}" (not found)`);
  }
  if (await isFile(join(dir, 'index.js')))
    return {
      file: 'index.js',
      nodeArgs: [],
      args: [],
      reason: "entry index.js: npm's default main (no start script or main)",
    };
  looked.push('index.js (not found)');
  throw new AppError(
    'APP_NODE_ENTRY_NOT_FOUND',
    `no entry script: looked at ${looked.join(', ')}; set "main" in package.json or distill.yaml, or a start script "node FILE"`,
  );
}
