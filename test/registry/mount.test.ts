/**
 * Cross-repository mounts learnt by the blob memory, against the real registry with the bearer
 * token flow: the mount's token asks for pull on the source repository (no `mountFrom` given).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { REGISTRY_RETRY } from '../../src/platform/index.ts';
import { memoryBlobMemory, pushArtifact, staticKeychain } from '../../src/registry/index.ts';
import { requireTool, tempDir } from '../helpers/tools.ts';
import { smallImage } from './fixtures.ts';
import { startRegistry } from './registry-server.ts';
import { startTokenServer } from './token-server.ts';

const fast = { policy: { ...REGISTRY_RETRY, backoff: [50, 150] }, idleTimeoutMs: 5000 };

describe('blob memory mounts against docker-registry', () => {
  it('token auth: a blob remembered in one repository is mounted into another with pull scope on the source', async (t) => {
    if (!requireTool(t, 'docker-registry', 'docker-registry') || !requireTool(t, 'openssl', 'openssl'))
      return;
    const dir = await tempDir(t);
    const ts = await startTokenServer(t, dir, { bob: 'hunter2' });
    const reg = await startRegistry(t, { type: 'token', ...ts });
    const keychain = staticKeychain({ [reg.host]: { username: 'bob', password: 'hunter2' } });
    const blobMemory = memoryBlobMemory();
    const base = await smallImage(dir);
    await pushArtifact(base, `${reg.host}/team/base:1`, { ...fast, keychain, blobMemory });
    const app = await smallImage(dir, base.layers[0]);
    const r = await pushArtifact(app, `${reg.host}/other/app:1`, { ...fast, keychain, blobMemory });
    assert.deepEqual(r.blobs, { existing: 0, mounted: 1, uploaded: 2, uploadedBytes: r.blobs.uploadedBytes });
    assert.ok(
      ts.requests.some(
        (q) =>
          q.scopes[0] === 'repository:other/app:push,pull' && q.scopes.includes('repository:team/base:pull'),
      ),
      JSON.stringify(ts.requests.map((q) => q.scopes)),
    );
  });
});
