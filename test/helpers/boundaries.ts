/**
 * The module boundaries of src/ (as go-containerregistry's depcheck test keeps the CLI from
 * linking the daemon package): a module is a folder under src/; its public door is an index.ts
 * (at any depth) or a file at src/ itself. Finds imports that bypass a module's index, imports of
 * cli/ from outside it, and cycles between modules. Pure over a file list, so a test can feed it
 * a synthetic tree.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join, posix, relative, sep } from 'node:path';

export interface BoundaryReport {
  /** `from → to` for imports into another module's inner files, sorted. */
  innerImports: string[];
  /** `from → to` for imports of src/cli from outside it (except the allowed facade files). */
  cliImports: string[];
  /** Module cycles, each as `a → b → … → a` starting at its smallest module, sorted. */
  cycles: string[];
}

/** Files allowed to reach into cli/: none — the CLI sits on top of the library, never under it. */
export const CLI_IMPORTERS: readonly RegExp[] = [];

const IMPORT =
  /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s+'(\.{1,2}\/[^']+)'|import\(\s*'(\.{1,2}\/[^']+)'\s*\)/g;

async function sources(root: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(root, { recursive: true, withFileTypes: true })) {
    if (!e.isFile() || !e.name.endsWith('.ts') || /\.test\.ts$|\.d\.ts$/.test(e.name)) continue;
    const rel = relative(root, join(e.parentPath, e.name)).split(sep).join('/');
    if (/(^|\/)testing\/|-testing\.ts$|-fixture\.ts$|fake-registry\.ts$/.test(rel)) continue;
    out.push(rel);
  }
  return out.sort();
}

const moduleOf = (rel: string) => (rel.includes('/') ? (rel.split('/')[0] as string) : '');
const isPublic = (rel: string) => !rel.includes('/') || posix.basename(rel) === 'index.ts';

/** Checks the tree under `srcRoot` (a src/ folder). */
export async function checkBoundaries(srcRoot: string): Promise<BoundaryReport> {
  const files = await sources(srcRoot);
  const inner: string[] = [];
  const cli: string[] = [];
  const edges = new Map<string, Set<string>>();
  for (const from of files) {
    const text = await readFile(join(srcRoot, from), 'utf8');
    for (const m of text.matchAll(IMPORT)) {
      const spec = (m[1] ?? m[2]) as string;
      const to = posix.normalize(posix.join(posix.dirname(from), spec));
      if (to.startsWith('..')) continue; // outside src (package.json, data)
      const a = moduleOf(from);
      const b = moduleOf(to);
      if (a === b) continue;
      if (b === 'cli' && !CLI_IMPORTERS.some((r) => r.test(from))) cli.push(`${from} → ${to}`);
      if (b && !isPublic(to)) inner.push(`${from} → ${to}`);
      if (a && b) {
        const s = edges.get(a) ?? new Set<string>();
        edges.set(a, s);
        s.add(b);
      }
    }
  }
  return {
    innerImports: [...new Set(inner)].sort(),
    cliImports: [...new Set(cli)].sort(),
    cycles: cyclesOf(edges),
  };
}

/** Every elementary cycle between modules (small graphs: a depth-first search per start). */
function cyclesOf(edges: Map<string, Set<string>>): string[] {
  const found = new Set<string>();
  const nodes = [...edges.keys()].sort();
  for (const start of nodes) {
    const path: string[] = [start];
    const visit = (n: string) => {
      for (const next of [...(edges.get(n) ?? [])].sort()) {
        if (next === start) found.add([...path, start].join(' → '));
        else if (next > start && !path.includes(next)) {
          path.push(next);
          visit(next);
          path.pop();
        }
      }
    };
    visit(start);
  }
  return [...found].sort();
}

export const srcRootOf = (repoRoot: string) => join(repoRoot, 'src');
export const allowlistPath = (repoRoot: string) => join(repoRoot, 'test', 'boundaries-allowlist.json');
