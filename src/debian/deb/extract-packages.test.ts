import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { openCache } from '../../platform/cache.ts';
import { type ExtractEvent, packageContents } from './extract-packages.ts';
import { makeDeb } from './reader-fixture.ts';

const cleanup: Array<() => unknown> = [];
after(async () => {
  for (const c of cleanup) await c();
});

test('packageContents: files (merged-/usr) and status.d per package, in the order given', async () => {
  const files: Record<string, Buffer> = {};
  const pkgs = [];
  for (const [name, compression] of [
    ['alpha', 'xz'],
    ['beta', 'zstd'],
    ['gamma', 'gzip'],
  ] as const) {
    const body = await makeDeb({
      package: name,
      md5sums: `0123  bin/${name}\n`,
      dataCompression: compression,
      files: [
        { name: './', type: 'directory' },
        { name: './bin/', type: 'directory' },
        { name: `./bin/${name}`, content: name, mode: 0o755 },
      ],
    });
    const filename = `pool/main/${name[0]}/${name}/${name}_1.0-1_amd64.deb`;
    files[filename] = body;
    pkgs.push({
      name,
      version: '1.0-1',
      architecture: 'amd64',
      filename,
      sha256: createHash('sha256').update(body).digest('hex'),
      size: body.length,
      mirror: '',
    });
  }
  const server = createServer((req, res) => {
    const body = files[(req.url ?? '').slice(1)];
    if (!body) res.writeHead(404).end();
    else res.writeHead(200).end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  cleanup.push(() => server.close());
  const mirror = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const dir = await mkdtemp(join(tmpdir(), 'distill-pc-'));
  cleanup.push(() => rm(dir, { recursive: true, force: true }));
  const cache = await openCache(dir);
  let live = 0;
  let most = 0;
  const events: ExtractEvent[] = [];
  const spawnCounting = (cmd: string, args: readonly string[]) => {
    const c = spawn(cmd, args);
    most = Math.max(most, ++live);
    c.on('close', () => live--);
    return c;
  };
  const out = await packageContents(
    pkgs.map((p) => ({ ...p, mirror })),
    { cache, mergedUsr: true, extractConcurrency: 1, spawn: spawnCounting, onExtract: (e) => events.push(e) },
  );
  assert.equal(most, 1, 'one package decompressed at a time');
  // Progress: each package's extraction starts and ends (its entries counted), one at a time, in
  // the order its download finished (parallel downloads: any order).
  const seq = events.map((e) => `${e.type} ${e.package}`);
  for (let i = 0; i < seq.length; i += 2) {
    const n = (seq[i] as string).replace('extract-start ', '');
    assert.deepEqual(seq.slice(i, i + 2), [`extract-start ${n}`, `extracted ${n}`]);
  }
  assert.deepEqual(seq.filter((x) => x.startsWith('extracted ')).sort(), [
    'extracted alpha',
    'extracted beta',
    'extracted gamma',
  ]);
  const counted = new Map(events.filter((e) => e.type === 'extracted').map((e) => [e.package, e.entries]));
  assert.deepEqual(
    out.map((o) => counted.get(o.pkg.name)),
    out.map((o) => o.extracted.entries.length),
  );

  // Extractions already in the cache are no work, and no news.
  events.length = 0;
  await packageContents(
    pkgs.map((p) => ({ ...p, mirror })),
    { cache, mergedUsr: true, onExtract: (e) => events.push(e) },
  );
  assert.deepEqual(events, []);
  assert.deepEqual(
    out.map((o) => [o.pkg.name, o.files.map((f) => f.path), o.statusD.map((f) => f.path).slice(4)]),
    ['alpha', 'beta', 'gamma'].map((n) => [
      n,
      ['usr/bin', `usr/bin/${n}`],
      [`var/lib/dpkg/status.d/${n}`, `var/lib/dpkg/status.d/${n}.md5sums`],
    ]),
  );
  const beta = out[1]?.files[1];
  assert.ok(beta?.content);
  const chunks: Buffer[] = [];
  for await (const c of (await beta.content()) as AsyncIterable<Buffer>) chunks.push(c);
  assert.equal(Buffer.concat(chunks).toString(), 'beta');
  assert.match(String(await out[2]?.statusD[4]?.content?.()), /^Package: gamma\n/);
});

test('a lock whose sha256 for one package is swapped for another cached package is DEB_IDENTITY_MISMATCH blaming the lock; uncached, DEB_HASH_MISMATCH blaming the lock', async () => {
  const debs: Record<string, Buffer> = {};
  const pkgs = [];
  for (const name of ['alpha', 'beta']) {
    const body = await makeDeb({
      package: name,
      files: [
        { name: './', type: 'directory' },
        { name: `./${name}`, content: name },
      ],
    });
    const filename = `pool/main/${name[0]}/${name}/${name}_1.0-1_amd64.deb`;
    debs[filename] = body;
    const sha256 = createHash('sha256').update(body).digest('hex');
    // stanza '' is how a locked package comes to the downloader (src/lock/lock.ts `unlocked`).
    pkgs.push({
      name,
      version: '1.0-1',
      architecture: 'amd64',
      filename,
      sha256,
      size: body.length,
      stanza: '',
    });
  }
  const server = createServer((req, res) => {
    const body = debs[(req.url ?? '').slice(1)];
    if (!body) res.writeHead(404).end();
    else res.writeHead(200).end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  cleanup.push(() => server.close());
  const mirror = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const [alpha, beta] = pkgs.map((p) => ({ ...p, mirror })) as [
    (typeof pkgs)[0] & { mirror: string },
    (typeof pkgs)[0] & { mirror: string },
  ];

  const dir = await mkdtemp(join(tmpdir(), 'distill-pc-'));
  cleanup.push(() => rm(dir, { recursive: true, force: true }));
  const cache = await openCache(dir);
  await packageContents([alpha, beta], { cache, mergedUsr: true });
  const swapped = { ...alpha, sha256: beta.sha256, size: beta.size };
  await assert.rejects(packageContents([swapped], { cache, mergedUsr: true }), (e: unknown) => {
    assert.equal((e as { code?: string }).code, 'DEB_IDENTITY_MISMATCH');
    assert.match(
      (e as Error).message,
      /the lock names alpha 1\.0-1 \(amd64\).*is beta 1\.0-1 \(amd64\).*lock file was edited/,
    );
    assert.doesNotMatch((e as Error).message, /signed Packages index gives/);
    return true;
  });

  // The cache is intact: the honest lock still builds from it.
  const again = await packageContents([alpha, beta], { cache, mergedUsr: true });
  assert.deepEqual(
    again.map((c) => c.pkg.name),
    ['alpha', 'beta'],
  );

  // A fresh cache: the mirror's alpha does not hash to the lock's (beta's) sha256.
  const dir2 = await mkdtemp(join(tmpdir(), 'distill-pc-'));
  cleanup.push(() => rm(dir2, { recursive: true, force: true }));
  const shaOnly = { ...alpha, sha256: beta.sha256 };
  await assert.rejects(
    packageContents([shaOnly], { cache: await openCache(dir2), mergedUsr: true }),
    (e: unknown) => {
      assert.equal((e as { code?: string }).code, 'DEB_HASH_MISMATCH');
      assert.match((e as Error).message, /the sha256 the lock gives.*--relock/);
      return true;
    },
  );
});
