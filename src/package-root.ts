/**
 * Files shipped at the package root (package.json, data/, schema/), found from wherever the code
 * runs: dist/src/<area>/…, the CLI bundle in dist/bundle/cli/, or an installed node_modules/distill.
 * The nearest directory above this file that holds a package.json is the root.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let root: string | undefined;

/** The package root directory. */
export function packageRoot(): string {
  if (root) return root;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json'))) {
      root = dir;
      return dir;
    }
    const up = dirname(dir);
    if (up === dir) throw new Error(`no package.json above ${fileURLToPath(import.meta.url)}`);
    dir = up;
  }
}

/** A path under the package root: `packagePath('data', 'debian-keys')`. */
export function packagePath(...parts: string[]): string {
  return join(packageRoot(), ...parts);
}
