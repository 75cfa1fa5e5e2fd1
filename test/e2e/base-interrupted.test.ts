/**
 * Issue 10 item 9 on the command the issue names: `distill base static --archive X` stopped by a
 * signal while its temporary files exist. Caught downloading into a cold cache (temporary blobs in
 * the cache) and writing the archive from a warm one (`.X.tmp-<pid>-*` beside X; the child is
 * frozen with SIGSTOP the moment that file appears, so the signal lands mid-write every time):
 * SIGINT and SIGTERM exit 130 / 143 leaving no temporary file and the X that was there before
 * untouched; SIGKILL leaves its temporary files, and the next run sweeps them and writes X.
 * Needs the Debian archive (through the host's apt sources).
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { watch } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it, type TestContext } from 'node:test';
import { distill } from '../helpers/cli.ts';
import { REPO_ROOT, tempDir } from '../helpers/tools.ts';

const OLD = 'the archive of an earlier run\n';

/** Every temporary name under `dir` (recursively), as the writers name them. */
async function temps(dir: string): Promise<string[]> {
  const names = await readdir(dir, { recursive: true }).catch(() => [] as string[]);
  return names.map(String).filter((n) => /\.tmp-/.test(n));
}

interface Running {
  child: ChildProcess;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function start(archive: string, cache: string): Running {
  const child = spawn(
    process.execPath,
    [join(REPO_ROOT, 'bin', 'distill.js'), 'base', 'static', '--archive', archive],
    { env: { ...process.env, DISTILL_CACHE: cache }, stdio: 'ignore' },
  );
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) =>
    child.on('exit', (code, signal) => r({ code, signal })),
  );
  return { child, exited };
}

/** Polls until the child has a temporary blob in the (cold) cache (it is downloading), and returns with the child stopped (SIGSTOP). */
async function catchDownloading(r: Running, cache: string): Promise<string[]> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    const mine = async () => (await temps(cache)).filter((n) => n.includes(`.tmp-${r.child.pid}-`));
    if ((await mine()).length) {
      // Frozen, then looked at again: a small blob's temp may have been renamed in between.
      r.child.kill('SIGSTOP');
      const still = await mine();
      if (still.length) return still;
      r.child.kill('SIGCONT');
    }
    assert.ok(Date.now() < deadline, 'no temporary file appeared in the cache');
    assert.equal(r.child.exitCode, null, 'the run ended before a temporary file was seen');
    await new Promise((res) => setTimeout(res, 5));
  }
}

/**
 * Freezes the child (SIGSTOP) as soon as `.NAME.tmp-*` appears beside the archive, and returns the
 * temporary names there while it is frozen; undefined when the run finished first.
 */
async function freezeWritingArchive(r: Running, out: string, name: string): Promise<string[] | undefined> {
  // Any temporary name of NAME: each test has its own folder, so it is the child's.
  const prefix = `.${name}.tmp-`;
  const seen = new Promise<boolean>((resolve) => {
    const w = watch(out, (_e, f) => {
      if (!String(f).startsWith(prefix)) return;
      r.child.kill('SIGSTOP');
      w.close();
      resolve(true);
    });
    void r.exited.then(() => {
      w.close();
      resolve(false);
    });
  });
  if (!(await seen)) return undefined;
  const found = (await readdir(out)).filter((n) => n.startsWith(prefix));
  return found.length ? found : undefined;
}

/** A test folder with out/s.tar holding an earlier run's archive (which must survive). */
async function oldArchive(t: TestContext): Promise<{ dir: string; out: string }> {
  const dir = await tempDir(t);
  const out = join(dir, 'out');
  await mkdir(out);
  await writeFile(join(out, 's.tar'), OLD);
  return { dir, out };
}

describe('distill base static --archive X, interrupted', () => {
  let warm: string;
  before(async () => {
    // One cold build fills a cache the archive-phase tests share (they only read it).
    warm = await mkdtemp(join(tmpdir(), 'distill-e2e-int-warm-'));
    const r = distill(['base', 'static', '--output', join(warm, 'layout')], {
      DISTILL_CACHE: join(warm, 'cache'),
    });
    assert.equal(r.status, 0, r.stderr);
  });
  after(() => rm(warm, { recursive: true, force: true }));

  for (const [sig, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const) {
    it(`${sig} while downloading into a cold cache: exit ${code}, no temporary file, X as it was`, async (t) => {
      const { dir, out } = await oldArchive(t);
      const cache = join(dir, 'cache');
      const r = start(join(out, 's.tar'), cache);
      await catchDownloading(r, cache);
      r.child.kill(sig);
      r.child.kill('SIGCONT');
      const e = await r.exited;
      assert.equal(e.code, code);
      assert.deepEqual(await temps(cache), []);
      assert.deepEqual(await readdir(out), ['s.tar']);
      assert.equal(await readFile(join(out, 's.tar'), 'utf8'), OLD);
    });

    it(`${sig} while the archive is being written: exit ${code}, no temporary file, X as it was`, async (t) => {
      const { out } = await oldArchive(t);
      const cache = join(warm, 'cache');
      // The write takes a few milliseconds from a warm cache: a run that finishes first is retried.
      for (let attempt = 0; ; attempt++) {
        const r = start(join(out, 's.tar'), cache);
        const found = await freezeWritingArchive(r, out, 's.tar');
        if (!found) {
          r.child.kill('SIGKILL');
          await r.exited;
          await writeFile(join(out, 's.tar'), OLD);
          assert.ok(attempt < 5, 'never caught the archive mid-write');
          continue;
        }
        r.child.kill(sig);
        r.child.kill('SIGCONT');
        const e = await r.exited;
        assert.equal(e.code, code);
        break;
      }
      assert.deepEqual(await readdir(out), ['s.tar']);
      assert.equal(await readFile(join(out, 's.tar'), 'utf8'), OLD);
      assert.deepEqual(await temps(cache), []);
    });
  }

  it('SIGKILL leaves temporary files in the cache and beside X; the next run sweeps them', async (t) => {
    const dir = await tempDir(t);
    const out = join(dir, 'out');
    await mkdir(out);
    const cache = join(dir, 'cache');
    const archive = join(out, 's.tar');
    // Killed downloading: a temporary blob stays in the cache.
    const a = start(archive, cache);
    const inCache = await catchDownloading(a, cache);
    a.child.kill('SIGKILL');
    await a.exited;
    assert.ok(
      (await temps(cache)).some((n) => inCache.includes(n)),
      'SIGKILL cannot clean up',
    );
    // Killed writing the archive (from the warm cache): its temporary file stays beside X.
    let beside: string[] | undefined;
    for (let attempt = 0; !beside; attempt++) {
      assert.ok(attempt < 5, 'never caught the archive mid-write');
      const b = start(archive, join(warm, 'cache'));
      beside = await freezeWritingArchive(b, out, 's.tar');
      b.child.kill('SIGKILL');
      await b.exited;
      if (!beside) await rm(archive, { force: true });
    }
    assert.deepEqual(await readdir(out), beside);

    const r = distill(['base', 'static', '--archive', archive], { DISTILL_CACHE: cache });
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(await temps(cache), []);
    assert.deepEqual(await readdir(out), ['s.tar']);
    const list = spawnSync('tar', ['-tf', archive], { encoding: 'utf8' });
    assert.equal(list.status, 0, list.stderr);
    assert.ok(list.stdout.split('\n').includes('manifest.json'));
  });
});
