/**
 * Issue 10 item 14c end to end: a cache path that is a file (DISTILL_CACHE itself, a folder below
 * such a file, or XDG_CACHE_HOME/distill) is CACHE_UNUSABLE, exit 1, with a message saying to
 * set DISTILL_CACHE — for `base`, `build` and `packages`. Nothing is written: no output layout, no
 * archive, no temporary file, and the file stays as it was. Needs no network (it fails first).
 */
import assert from 'node:assert/strict';
import { cp, lstat, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { distill } from '../helpers/cli.ts';
import { REPO_ROOT, tempDir } from '../helpers/tools.ts';

const TEXT = 'a file where the cache should be\n';

/** Every path under `dir` with its size (directories as -1). */
async function tree(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const n of await readdir(dir, { recursive: true })) {
    const s = await lstat(join(dir, String(n)));
    out.push(`${n} ${s.isDirectory() ? -1 : s.size}`);
  }
  return out.sort();
}

describe('a cache path that is a file', () => {
  const places: Array<[string, (dir: string) => Record<string, string>, string]> = [
    ['DISTILL_CACHE is a file', (d) => ({ DISTILL_CACHE: join(d, 'f') }), 'f'],
    ['DISTILL_CACHE is below a file', (d) => ({ DISTILL_CACHE: join(d, 'f', 'sub') }), 'f'],
    [
      'XDG_CACHE_HOME/distill is a file',
      (d) => ({ DISTILL_CACHE: '', XDG_CACHE_HOME: join(d, 'xdg') }),
      join('xdg', 'distill'),
    ],
  ];
  const commands: Array<[string, (dir: string) => string[]]> = [
    [
      'base',
      (d) => ['base', 'static', '--output', join(d, 'out', 'l'), '--archive', join(d, 'out', 'a.tar')],
    ],
    ['build', (d) => ['build', join(d, 'project'), '--output', join(d, 'out', 'b')]],
    ['packages', () => ['packages', 'resolve', 'libc6']],
  ];
  for (const [where, env, file] of places) {
    for (const [name, args] of commands) {
      it(`${name}, ${where}: CACHE_UNUSABLE, exit 1, nothing written`, async (t) => {
        const dir = await tempDir(t);
        await mkdir(join(dir, 'xdg'));
        await mkdir(join(dir, 'out'));
        await writeFile(join(dir, file), TEXT);
        // A copy of a small project: a build must not write into it either.
        await cp(join(REPO_ROOT, 'examples', 'python-http'), join(dir, 'project'), { recursive: true });
        const before = await tree(dir);
        const r = distill(args(dir), env(dir));
        assert.equal(r.status, 1, r.stderr);
        assert.match(
          r.stderr,
          /^distill: error CACHE_UNUSABLE: .*is a file, not a directory.*DISTILL_CACHE/m,
        );
        assert.equal(await readFile(join(dir, file), 'utf8'), TEXT, 'the file is left as it was');
        assert.deepEqual(await tree(dir), before, 'nothing written, nothing removed');
      });
    }
  }
});
