/**
 * Module boundaries of src/ (issue 15): no new import into another module's inner files (only its
 * index.ts, or a file at src/ itself), nothing outside cli/ imports cli/ (but the library facade),
 * and no new cycle between modules. What existed when this test came in is in
 * boundaries-allowlist.json, which may only shrink: an entry that is gone fails too.
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { allowlistPath, checkBoundaries, srcRootOf } from './helpers/boundaries.ts';
import { REPO_ROOT } from './helpers/tools.ts';

describe('module boundaries', () => {
  it('src/ adds no inner import, no cli import and no module cycle beyond the allowlist, and the allowlist has no stale entry', async () => {
    const r = await checkBoundaries(srcRootOf(REPO_ROOT));
    const allow = JSON.parse(await readFile(allowlistPath(REPO_ROOT), 'utf8')) as {
      innerImports: string[];
      cycles: string[];
    };
    const added = r.innerImports.filter((x) => !allow.innerImports.includes(x));
    assert.deepEqual(added, [], 'import the module through its index.ts (export what you need there)');
    const gone = allow.innerImports.filter((x) => !r.innerImports.includes(x));
    assert.deepEqual(gone, [], 'fixed: remove these from test/boundaries-allowlist.json');
    assert.deepEqual(r.cliImports, [], 'the core never imports cli/');
    assert.deepEqual(
      r.cycles,
      allow.cycles,
      'module cycles: only the allowlisted ones, and each still exists',
    );
  });

  it('the checker finds an inner import, a cli import and a cycle in a synthetic tree', async () => {
    const root = await mkdtemp(join(tmpdir(), 'distill-boundaries-'));
    try {
      const files: Record<string, string> = {
        'a/index.ts': "export { x } from './x.ts';\n",
        'a/x.ts': "import { y } from '../b/index.ts';\nexport const x = y;\n",
        'b/index.ts': "export const y = 1;\nimport { z } from '../a/x.ts';\n",
        'c/index.ts':
          "import { run } from '../cli/main.ts';\nexport const c = () => import('../a/index.ts');\n",
        'cli/main.ts': 'export const run = 1;\n',
        'api/verbs.ts': "import { run } from '../cli/main.ts';\n",
        'leaf.ts': 'export const leaf = 1;\n',
        'a/x.test.ts': "import { q } from '../b/inner.ts';\n",
      };
      for (const [p, text] of Object.entries(files)) {
        await mkdir(dirname(join(root, p)), { recursive: true });
        await writeFile(join(root, p), text);
      }
      const r = await checkBoundaries(root);
      assert.deepEqual(r.innerImports, [
        'api/verbs.ts → cli/main.ts',
        'b/index.ts → a/x.ts',
        'c/index.ts → cli/main.ts',
      ]);
      assert.deepEqual(
        r.cliImports,
        ['api/verbs.ts → cli/main.ts', 'c/index.ts → cli/main.ts'],
        'nothing outside cli/ may',
      );
      assert.deepEqual(r.cycles, ['a → b → a']);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
