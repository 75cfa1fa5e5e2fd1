import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { leaseFile, leaseHolds, readLeases, writeLease } from './leases.ts';

const dirs: string[] = [];
after(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));
async function tmp(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'distill-leases-'));
  dirs.push(d);
  return d;
}

describe('leases', () => {
  it('hold while the bundle exists or the writer runs; undo puts back the lease it replaced', async () => {
    const store = await tmp();
    const bundle = join(store, 'bundle-x');
    const first = await writeLease(store, bundle, ['sha256:aa', 'sha256:bb']);
    assert.equal(first.file, leaseFile(store, bundle));
    const [l] = await readLeases(store);
    assert.deepEqual(l?.chains, ['sha256:aa', 'sha256:bb']);
    assert.equal(await leaseHolds(l as NonNullable<typeof l>), true, 'its writer (this process) runs');
    const gone = { ...(l as NonNullable<typeof l>), writer: { pid: process.pid, start: 'not-this-one' } };
    assert.equal(await leaseHolds(gone), false, 'no bundle, and its writer is gone');
    await mkdir(bundle);
    assert.equal(await leaseHolds(gone), true, 'its bundle exists');

    const second = await writeLease(store, bundle, ['sha256:cc']);
    assert.deepEqual(
      (await readLeases(store)).map((x) => x.chains),
      [['sha256:cc']],
    );
    await second.undo();
    assert.deepEqual(
      (await readLeases(store)).map((x) => x.chains),
      [['sha256:aa', 'sha256:bb']],
    );
    await first.undo();
    assert.deepEqual(await readLeases(store), []);
  });
});
