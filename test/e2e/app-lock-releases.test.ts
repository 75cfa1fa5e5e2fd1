/**
 * An app's distill.lock and the InRelease digests (its base section's `releases`), against the
 * live Debian archive: recorded on the first build; a lock whose only difference is a re-signed
 * index (the security archive re-signs every few days) is still current and is not rewritten; a
 * lock from before the digests were recorded still builds and passes `distill lock DIR --check`,
 * and `distill lock DIR` upgrades it to exactly what a fresh lock is.
 */
import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { distill } from '../helpers/cli.ts';
import { tempDir } from '../helpers/tools.ts';

describe('app lock: InRelease digests', () => {
  it('recorded; a re-signed index is no change; an older lock builds, checks current, and is upgraded', async (t) => {
    const dir = await tempDir(t);
    const app = join(dir, 'app');
    await mkdir(app);
    await writeFile(join(app, 'package.json'), '{"name":"a","version":"1.0.0","main":"server.js"}\n');
    await writeFile(join(app, 'server.js'), 'console.log("hi")\n');
    const lockPath = join(app, 'distill.lock');
    const build = (out: string) => {
      const r = distill(['build', app, '--arch', 'amd64', '--output', join(dir, out), '--json', '--quiet']);
      assert.equal(r.status, 0, r.stderr);
      return JSON.parse(r.stdout) as { digest: string };
    };
    const first = build('a');
    const fresh = await readFile(lockPath, 'utf8');
    const lock = JSON.parse(fresh);
    assert.deepEqual(
      lock.base.releases.map((r: { suite: string }) => r.suite),
      ['trixie', 'trixie-updates', 'trixie-security'],
    );
    const check = () => distill(['lock', app, '--arch', 'amd64', '--check']);

    // Re-signed: another sha256 and Date for trixie-security, the same packages.
    const resigned = structuredClone(lock);
    resigned.base.releases[2].sha256 = 'f'.repeat(64);
    resigned.base.releases[2].date = 'Mon, 01 Dec 2025 00:00:00 UTC';
    const resignedText = `${JSON.stringify(resigned, null, 2)}\n`;
    await writeFile(lockPath, resignedText);
    const c1 = check();
    assert.equal(c1.status, 0, c1.stderr);
    assert.equal(distill(['lock', app, '--arch', 'amd64']).status, 0);
    assert.equal(
      await readFile(lockPath, 'utf8'),
      resignedText,
      'a relock that only saw re-signed indexes writes nothing',
    );

    // Older: no releases at all.
    const { releases: _, ...olderBase } = lock.base;
    const olderText = `${JSON.stringify({ ...lock, base: olderBase }, null, 2)}\n`;
    await writeFile(lockPath, olderText);
    assert.equal(build('b').digest, first.digest, 'an older lock builds the same image');
    assert.equal(await readFile(lockPath, 'utf8'), olderText, 'and is left as it is');
    const c2 = check();
    assert.equal(c2.status, 0, c2.stderr);
    assert.match(`${c2.stdout}${c2.stderr}`, /is current/);
    const up = distill(['lock', app, '--arch', 'amd64']);
    assert.equal(up.status, 0, up.stderr);
    assert.equal(await readFile(lockPath, 'utf8'), fresh, '`distill lock DIR` adds the digests');

    // Malformed releases: LOCK_INVALID, the file kept.
    const bad = JSON.stringify({ ...lock, base: { ...lock.base, releases: [{ suite: 'trixie' }] } });
    await writeFile(lockPath, bad);
    const r = distill(['build', app, '--arch', 'amd64', '--output', join(dir, 'c')]);
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /LOCK_INVALID: .*malformed release entry "trixie"/);
    assert.equal(await readFile(lockPath, 'utf8'), bad);
  });
});
