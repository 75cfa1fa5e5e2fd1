/**
 * Interrupted runs leave nothing behind: `distill image from-dir --archive X` on a big tree is
 * stopped with SIGINT and SIGTERM while its temporary files exist (exit 130 / 143, no temporary
 * file beside X or in the cache, X not created); one killed with SIGKILL leaves its temporary
 * files, and the next run that writes there sweeps them (their pid is gone).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { distill } from '../helpers/cli.ts';
import { REPO_ROOT, tempDir } from '../helpers/tools.ts';

async function bigTree(dir: string): Promise<string> {
  const root = join(dir, 'rootfs');
  await mkdir(root);
  // Random bytes do not compress: the layer takes long enough to catch it mid-write.
  for (let i = 0; i < 6; i++) await writeFile(join(root, `blob-${i}`), randomBytes(32 << 20));
  return root;
}

async function temps(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { recursive: true }).catch(() => [] as string[]))
    if (/\.tmp-/.test(String(e))) out.push(String(e));
  return out;
}

/** Starts from-dir, waits until a temporary file exists beside the archive or in the cache. */
async function startAndCatch(root: string, archive: string, cache: string) {
  const child = spawn(
    process.execPath,
    [join(REPO_ROOT, 'bin', 'distill.js'), 'image', 'from-dir', root, '--archive', archive],
    {
      env: { ...process.env, DISTILL_CACHE: cache },
      stdio: 'ignore',
    },
  );
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) =>
    child.on('exit', (code, signal) => r({ code, signal })),
  );
  const deadline = Date.now() + 60_000;
  for (;;) {
    const found = [...(await temps(join(archive, '..'))), ...(await temps(cache))];
    if (found.length) return { child, exited, found };
    assert.ok(Date.now() < deadline, 'no temporary file appeared');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('interrupted runs', () => {
  for (const [sig, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const) {
    it(`${sig} mid-write removes every temporary file and exits ${code}`, async (t) => {
      const dir = await tempDir(t);
      const root = await bigTree(dir);
      const out = join(dir, 'out');
      await mkdir(out);
      const cache = join(dir, 'cache');
      const { child, exited } = await startAndCatch(root, join(out, 'app.tar'), cache);
      child.kill(sig);
      const r = await exited;
      assert.equal(r.code, code);
      assert.deepEqual(await temps(out), []);
      assert.deepEqual(await temps(cache), []);
      assert.deepEqual(await readdir(out), [], 'app.tar was not created');
    });
  }

  it('SIGKILL leaves temporary files; the next run writing there sweeps them', async (t) => {
    const dir = await tempDir(t);
    const root = await bigTree(dir);
    const out = join(dir, 'out');
    await mkdir(out);
    const cache = join(dir, 'cache');
    const { child, exited } = await startAndCatch(root, join(out, 'app.tar'), cache);
    child.kill('SIGKILL');
    await exited;
    const left = [...(await temps(out)), ...(await temps(cache))];
    assert.ok(left.length > 0, 'SIGKILL cannot clean up');
    const small = join(dir, 'small');
    await mkdir(small);
    await writeFile(join(small, 'x'), 'x');
    const r = distill(['image', 'from-dir', small, '--archive', join(out, 'app.tar')], {
      DISTILL_CACHE: cache,
    });
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(await temps(out), []);
    assert.deepEqual(await temps(cache), []);
    assert.deepEqual(await readdir(out), ['app.tar']);
    // from-dir keeps nothing in the cache but the CLI's own compiled code: its layer can never be reused.
    const files = (await readdir(cache, { recursive: true, withFileTypes: true })).filter(
      (e) => e.isFile() && !e.parentPath.endsWith('/code'),
    );
    assert.deepEqual(
      files.map((e) => e.name),
      [],
    );
  });
});
