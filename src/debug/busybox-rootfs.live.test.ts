/**
 * The debug shell's busybox tree from the live Debian archive into a fresh cache: the first use
 * resolves and downloads busybox-static (signature and hashes checked by distill's Debian code),
 * later uses read no index (the mirror is then made unreachable to prove it), a tampered binary is
 * replaced from the cached package, and the binary is the one the :debug images ship.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, readlink, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { realPackage } from '../../test/fixtures/assemble/debian-packages.ts';
import { busyboxLayer } from '../assemble/index.ts';
import { openCache } from '../platform/index.ts';
import { busyboxRootfs, hostDebianArch, ROOTFS_DIRS, ROOTFS_FILES } from './busybox-rootfs.ts';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('busyboxRootfs on the live archive', () => {
  it('fetches once, then serves from the cache with no network; a tampered binary is laid out again', async (t) => {
    const arch = hostDebianArch();
    // The same package the :debug images take (skips only when the archive is unreachable, never under CI).
    const pkg = await realPackage(t, 13, arch, 'busybox-static');
    if (!pkg) return;
    const root = await mkdtemp(join(tmpdir(), 'distill-debug-cache-'));
    t.after(() => rm(root, { recursive: true, force: true }));
    const cache = await openCache(root);
    const first = await busyboxRootfs({ env: process.env, debian: 13, arch, cache });
    assert.equal(first.cached, false);
    assert.equal(first.version, pkg.version);
    assert.match(first.dir, new RegExp(`^${root}/rootfs/debug-busybox-[0-9a-f]{64}$`));
    const want = (await busyboxLayer(pkg.entries, arch)).entries;
    const binary = want.find((e) => e.path === 'busybox/busybox');
    const bytes = await readFile(join(first.dir, 'busybox', 'busybox'));
    assert.equal(sha(bytes), sha((await binary?.content?.()) as Buffer));
    assert.equal(((await stat(join(first.dir, 'busybox', 'busybox'))).mode & 0o777).toString(8), '755');
    for (const e of want.filter((x) => x.type === 'symlink'))
      assert.equal(await readlink(join(first.dir, e.path)), '/busybox/busybox');
    for (const d of ROOTFS_DIRS) assert.ok((await stat(join(first.dir, d))).isDirectory());
    for (const f of ROOTFS_FILES) assert.equal((await stat(join(first.dir, f))).size, 0);
    assert.match(execFileSync(join(first.dir, 'busybox', 'busybox'), ['echo', 'ok']).toString(), /^ok/);

    const offline = {
      ...process.env,
      DISTILL_DEBIAN_MIRROR: 'http://127.0.0.1:1/debian',
      DISTILL_DEBIAN_SECURITY_MIRROR: 'http://127.0.0.1:1/debian-security',
    };
    const again = await busyboxRootfs({ env: offline, debian: 13, arch, cache });
    assert.deepEqual(again, { ...first, cached: true });

    await writeFile(join(first.dir, 'busybox', 'busybox'), 'tampered');
    const healed = await busyboxRootfs({ env: offline, debian: 13, arch, cache });
    assert.deepEqual(healed, { ...first, cached: true });
    assert.equal(sha(await readFile(join(first.dir, 'busybox', 'busybox'))), sha(bytes));

    // --refresh-busybox resolves again: offline, that is the coded error, and the tree stays.
    await assert.rejects(busyboxRootfs({ env: offline, debian: 13, arch, cache, refresh: true }), {
      code: 'DEBUG_BUSYBOX_FETCH_FAILED',
    });
    assert.equal(sha(await readFile(join(first.dir, 'busybox', 'busybox'))), sha(bytes));
  });
});
