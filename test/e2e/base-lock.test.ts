/**
 * `distill base --lock`: a catalogue build pinned to exact files. The same lock gives the same
 * bytes on two runs with separate caches (nothing comes from a shared cache), a lock for other
 * inputs is refused, and a damaged lock is a clear error.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { distill } from '../helpers/cli.ts';

describe('distill base --lock', () => {
  let work: string;
  before(async () => {
    work = await mkdtemp(join(tmpdir(), 'distill-e2e-lock-'));
  });
  after(async () => {
    await rm(work, { recursive: true, force: true });
  });

  const build = (args: string[], cache: string) => {
    const r = distill(['base', ...args, '--json'], { DISTILL_CACHE: cache });
    assert.equal(r.status, 0, r.stderr);
    return JSON.parse(r.stdout) as {
      digest: string;
      platforms: { layers: { digest: string; cached: boolean }[] }[];
    };
  };

  it('writes the lock, then builds byte-identical layers from it with an empty cache', async () => {
    const lock = join(work, 'static.lock');
    const first = build(['static', '--lock', lock, '--output', join(work, 'a')], join(work, 'cache-a'));
    const text = await readFile(lock, 'utf8');
    const parsed = JSON.parse(text);
    assert.equal(parsed.kind, 'base');
    const root = parsed.architectures.amd64.layers[0];
    assert.equal(root.kind, 'root');
    assert.ok(
      root.packages.some(
        (p: { name: string; sha256: string }) => p.name === 'base-files' && /^[0-9a-f]{64}$/.test(p.sha256),
      ),
    );
    assert.ok(!text.includes('http'), 'no mirror host in the lock');
    // Each suite's verified InRelease, by sha256, with the Release's own Date.
    assert.deepEqual(
      parsed.releases.map((r: { archive: string; suite: string }) => `${r.archive}/${r.suite}`),
      ['main/trixie', 'main/trixie-updates', 'security/trixie-security'],
    );
    for (const r of parsed.releases) {
      assert.match(r.sha256, /^[0-9a-f]{64}$/);
      assert.equal(r.file, 'InRelease');
      assert.match(r.date, /^\w{3}, \d\d \w{3} \d{4} \d\d:\d\d:\d\d (UTC|GMT)$/);
    }
    const second = build(['static', '--lock', lock, '--output', join(work, 'b')], join(work, 'cache-b'));
    assert.equal(second.digest, first.digest);
    assert.deepEqual(
      second.platforms[0]?.layers.map((l) => l.digest),
      first.platforms[0]?.layers.map((l) => l.digest),
    );
    assert.equal(second.platforms[0]?.layers[0]?.cached, false, 'built again, not taken from a cache');
    assert.equal(await readFile(lock, 'utf8'), text, 'a build with a lock does not rewrite it');

    // --relock when the indexes were re-signed since (the lock names older InRelease bytes) but
    // the same files stand behind them: the lock stays as it is.
    const resigned = text.replace(parsed.releases[2].sha256, 'f'.repeat(64));
    await writeFile(lock, resigned);
    const relock = distill(['base', 'static', '--lock', lock, '--relock', '--output', join(work, 'r')], {
      DISTILL_CACHE: join(work, 'cache-a'),
    });
    assert.equal(relock.status, 0, relock.stderr);
    assert.match(relock.stdout, /lock .* is current/);
    assert.equal(await readFile(lock, 'utf8'), resigned, 'no churn');
  });

  it('refuses a lock made for other inputs, and a damaged lock', async () => {
    const lock = join(work, 'other.lock');
    build(['static', '--lock', lock, '--output', join(work, 'c')], join(work, 'cache-a'));
    const stale = distill(['base', 'base', '--lock', lock, '--output', join(work, 'd')], {
      DISTILL_CACHE: join(work, 'cache-a'),
    });
    assert.equal(stale.status, 1);
    assert.match(stale.stderr, /LOCK_STALE/);
    assert.match(stale.stderr, /--relock/);
    await writeFile(lock, '{not json');
    const bad = distill(['base', 'static', '--lock', lock, '--output', join(work, 'e')], {
      DISTILL_CACHE: join(work, 'cache-a'),
    });
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /LOCK_INVALID/);
  });
});
