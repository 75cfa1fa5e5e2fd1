/** Test helpers for buildApp: temporary projects, a stand-in nodejs base, options with no network. */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after } from 'node:test';
import { createImage, emptyConfig, type Image, writeLayer } from '../../oci/index.ts';
import { type Cache, openCache } from '../../platform/cache.ts';
import { AppError } from '../errors.ts';
import type { AppBuildOptions } from './build.ts';

const roots: string[] = [];
after(async () => {
  for (const r of roots) await rm(r, { recursive: true, force: true });
});
export const temp = async (p: string) => {
  const d = await mkdtemp(join(tmpdir(), p));
  roots.push(d);
  return d;
};

export async function project(files: Record<string, string>): Promise<string> {
  const dir = await temp('distill-build-');
  for (const [p, c] of Object.entries(files)) {
    await mkdir(dirname(join(dir, p)), { recursive: true });
    await writeFile(join(dir, p), c);
  }
  return dir;
}

/** A stand-in for the nodejs base: /nodejs/bin/node and /etc/passwd in one layer. */
export async function fakeBase(dir: string): Promise<Image> {
  const node = Buffer.from('#!fake node\n');
  const passwd = Buffer.from(
    'root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:65532:65532::/home/nonroot:/sbin/nologin\n',
  );
  const layer = await writeLayer(
    [
      {
        path: 'nodejs/bin/node',
        type: 'file',
        mode: 0o755,
        uid: 0,
        gid: 0,
        size: node.length,
        content: () => node,
      },
      {
        path: 'etc/passwd',
        type: 'file',
        mode: 0o644,
        uid: 0,
        gid: 0,
        size: passwd.length,
        content: () => passwd,
      },
      { path: 'tmp', type: 'dir', mode: 0o1777, uid: 0, gid: 0 },
    ],
    { dir },
  );
  const config = emptyConfig({ os: 'linux', architecture: 'amd64' }, 0);
  config.config = { Env: ['PATH=/usr/bin:/bin'], Entrypoint: ['/nodejs/bin/node'], User: '0' };
  return createImage({ config, layers: [layer] });
}

export const json = (v: unknown) => JSON.stringify(v);

export async function express(): Promise<string> {
  return project({
    'package.json': json({ name: 'web', scripts: { start: 'node server.js' }, dependencies: { a: '1' } }),
    'package-lock.json': json({
      lockfileVersion: 3,
      packages: { '': {}, 'node_modules/a': { version: '1.0.0' } },
    }),
    'server.js': 'require("a")',
    'lib/util.js': 'exports.x = 1',
    'node_modules/a/package.json': '{}',
    'node_modules/a/index.js': 'module.exports = 1',
    'README.md': 'not in the image',
    '.dockerignore': 'node_modules\n*.md\n',
  });
}

export async function options(
  dir: string,
  extra: Partial<AppBuildOptions> = {},
): Promise<AppBuildOptions & { cache: Cache }> {
  const cache = await openCache(await temp('distill-build-cache-'));
  const base = await fakeBase(join(cache.root, 'blobs', 'sha256'));
  return {
    dir,
    env: {},
    epoch: 0,
    cache,
    archive: async () => {
      throw new Error('no archive in unit tests');
    },
    openImage: async () => base,
    now: () => Date.parse('2026-11-27T00:00:00Z'),
    flags: { base: 'oci:fake' },
    checkNative: async () => ({ addPackages: [], messages: [] }),
    ...extra,
  };
}

export async function code(p: Promise<unknown>, c: string, msg?: RegExp): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof AppError, String(e));
    assert.equal(e.code, c);
    if (msg) assert.match(e.message, msg);
    return true;
  });
}
