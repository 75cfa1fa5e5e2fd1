import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { openCache } from '../../platform/cache.ts';
import { type DownloadablePackage, type DownloadEvent, downloadPackages } from './download.ts';
import { makeDeb } from './reader-fixture.ts';

type Handler = (req: IncomingMessage, res: ServerResponse, body: Buffer | undefined) => void;

/** A small HTTP mirror serving fixture .debs; `handler` can misbehave per request. */
async function mirror(files: Record<string, Buffer>, handler?: Handler) {
  const hits: string[] = [];
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').slice(1);
    hits.push(path);
    const body = files[path];
    if (handler) return handler(req, res, body);
    if (!body) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-length': body.length }).end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  servers.push(server);
  return { url, hits, server };
}
const servers: Server[] = [];
const dirs: string[] = [];
after(async () => {
  for (const s of servers) s.close();
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});
async function cacheDir() {
  const d = await mkdtemp(join(tmpdir(), 'distill-dl-'));
  dirs.push(d);
  return d;
}
const blobs = async (root: string) => (await readdir(join(root, 'blobs', 'sha256'))).sort();
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

async function fixture(n: number) {
  const files: Record<string, Buffer> = {};
  const pkgs: Array<DownloadablePackage & { body: Buffer }> = [];
  for (let i = 0; i < n; i++) {
    const body = await makeDeb({
      package: `p${i}`,
      files: [{ name: './data', content: Buffer.alloc(50_000 + i * 1000, i) }],
      dataCompression: 'none',
    });
    const filename = `pool/main/p/p${i}/p${i}_1.0-1_amd64.deb`;
    files[filename] = body;
    pkgs.push({
      name: `p${i}`,
      version: '1.0-1',
      architecture: 'amd64',
      filename,
      sha256: sha(body),
      size: body.length,
      mirror: '',
      body,
    });
  }
  return { files, pkgs };
}
const at = <T extends DownloadablePackage>(pkgs: T[], url: string) =>
  pkgs.map((p) => ({ ...p, mirror: url }));
const noSleep = async () => {};

test('downloads in parallel with progress; a second run is served from the cache', async () => {
  const { files, pkgs } = await fixture(5);
  const m = await mirror(files);
  const cache = await openCache(await cacheDir());
  const events: DownloadEvent[] = [];
  const out = await downloadPackages(at(pkgs, m.url), {
    cache,
    concurrency: 2,
    onProgress: (e) => events.push(e),
  });
  assert.deepEqual(
    out.map((r) => [r.pkg.name, r.cached, r.digest]),
    pkgs.map((p) => [p.name, false, `sha256:${p.sha256}`]),
  );
  const last = events.filter((e) => e.type === 'done').at(-1);
  const total = pkgs.reduce((n, p) => n + p.size, 0);
  assert.deepEqual(last && [last.packagesDone, last.packagesTotal, last.bytesDone, last.bytesTotal], [
    5,
    5,
    total,
    total,
  ]);
  assert.ok(events.some((e) => e.type === 'bytes'));
  assert.equal(m.hits.length, 5);
  const again = await downloadPackages(at(pkgs, m.url), { cache: await openCache(cache.root) });
  assert.ok(again.every((r) => r.cached));
  assert.equal(m.hits.length, 5);
});

test('a .deb that does not match its Packages sha256: DEB_HASH_MISMATCH, nothing cached', async () => {
  const { pkgs } = await fixture(1);
  const p = pkgs[0]!;
  const tampered = Buffer.from(p.body);
  tampered.writeUInt8(tampered.readUInt8(tampered.length - 3) ^ 1, tampered.length - 3);
  const m = await mirror({ [p.filename]: tampered });
  const cache = await openCache(await cacheDir());
  await assert.rejects(downloadPackages(at(pkgs, m.url), { cache, sleep: noSleep }), {
    code: 'DEB_HASH_MISMATCH',
  });
  assert.deepEqual(await blobs(cache.root), []);
});

test('a truncated download: retried, then DEB_TRUNCATED; nothing cached', async () => {
  const { pkgs } = await fixture(1);
  const p = pkgs[0]!;
  const m = await mirror({ [p.filename]: p.body }, (_req, res, body) => {
    res.writeHead(200).end(body?.subarray(0, 1000)); // no content-length: a clean but short end
  });
  const cache = await openCache(await cacheDir());
  await assert.rejects(downloadPackages(at(pkgs, m.url), { cache, retries: 2, sleep: noSleep }), {
    code: 'DEB_TRUNCATED',
  });
  assert.equal(m.hits.length, 3);
  assert.deepEqual(await blobs(cache.root), []);
});

test('a connection dropped mid-body, and a 503, are retried until the file arrives', async () => {
  const { pkgs } = await fixture(1);
  const p = pkgs[0]!;
  let n = 0;
  const m = await mirror({ [p.filename]: p.body }, (_req, res, body) => {
    n++;
    if (n === 1) {
      res.writeHead(200, { 'content-length': body!.length });
      res.write(body!.subarray(0, 5000), () => res.destroy());
    } else if (n === 2) res.writeHead(503).end();
    else res.writeHead(200, { 'content-length': body!.length }).end(body);
  });
  const cache = await openCache(await cacheDir());
  const events: DownloadEvent[] = [];
  const [r] = await downloadPackages(at(pkgs, m.url), {
    cache,
    sleep: noSleep,
    onProgress: (e) => events.push(e),
  });
  assert.equal(r?.cached, false);
  assert.equal(m.hits.length, 3);
  assert.ok(events.filter((e) => e.type === 'retry').length >= 2);
  const done = events.filter((e) => e.type === 'done').at(-1);
  assert.equal(done?.type === 'done' && done.bytesDone, p.size);
  assert.deepEqual(await blobs(cache.root), [p.sha256]);
});

test('a file gone from the mirror: DEB_MISSING_ON_MIRROR, unless the cache still has it', async () => {
  const { files, pkgs } = await fixture(1);
  const empty = await mirror({});
  const cache = await openCache(await cacheDir());
  await assert.rejects(downloadPackages(at(pkgs, empty.url), { cache }), {
    code: 'DEB_MISSING_ON_MIRROR',
    message: /re-lock/,
  });
  const full = await mirror(files);
  await downloadPackages(at(pkgs, full.url), { cache });
  const [r] = await downloadPackages(at(pkgs, empty.url), { cache: await openCache(cache.root) });
  assert.equal(r?.cached, true);
});

test('a process killed mid-download leaves the cache usable', async () => {
  const { pkgs } = await fixture(1);
  const p = pkgs[0]!;
  let sentHalf!: () => void;
  const half = new Promise<void>((r) => {
    sentHalf = r;
  });
  let first = true;
  const m = await mirror({}, (_req, res) => {
    if (first) {
      first = false;
      res.writeHead(200, { 'content-length': p.body.length });
      res.write(p.body.subarray(0, p.body.length >> 1), () => sentHalf()); // then stall
      return;
    }
    res.writeHead(200, { 'content-length': p.body.length }).end(p.body);
  });
  const root = await cacheDir();
  const mod = new URL('./download.js', import.meta.url).href;
  const cacheMod = new URL('../../platform/cache.js', import.meta.url).href;
  const pkg = { ...p, body: undefined, mirror: m.url };
  const script = `const [{ downloadPackages }, { openCache }] = await Promise.all([import(${JSON.stringify(mod)}), import(${JSON.stringify(cacheMod)})]);
    await downloadPackages([${JSON.stringify(pkg)}], { cache: await openCache(${JSON.stringify(root)}) });`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: 'inherit' });
  const exited = new Promise((r) => child.on('exit', r));
  await half;
  await new Promise((r) => setTimeout(r, 100)); // let the child write what it got
  child.kill('SIGKILL');
  await exited;
  const left = await blobs(root);
  assert.ok(!left.includes(p.sha256), 'no entry under its final name');
  assert.ok(left.every((f) => f.startsWith('.tmp-')));
  assert.ok(left.length > 0, 'the killed process left its temporary file');
  const cache = await openCache(root);
  // Opening the cache swept what the killed process (its pid is gone) left behind.
  assert.deepEqual(await blobs(root), []);
  const [r] = await downloadPackages([{ ...p, mirror: m.url }], { cache });
  assert.equal(r?.cached, false);
  assert.equal(await cache.get(r!.digest), r?.path);
  assert.equal(await cache.cleanTemp(0), 0);
  assert.deepEqual(await blobs(root), [p.sha256]);
});

test('an aborted download rejects, leaves no entry and no temp file', async () => {
  const { pkgs } = await fixture(1);
  const p = pkgs[0]!;
  const ac = new AbortController();
  const m = await mirror({}, (_req, res) => {
    res.writeHead(200, { 'content-length': p.body.length });
    res.write(p.body.subarray(0, 10_000), () => setTimeout(() => ac.abort(), 20)); // then stall
  });
  const cache = await openCache(await cacheDir());
  await assert.rejects(downloadPackages(at(pkgs, m.url), { cache, signal: ac.signal, sleep: noSleep }), {
    code: 'DEB_DOWNLOAD_FAILED',
  });
  assert.equal(m.hits.length, 1);
  assert.deepEqual(await blobs(cache.root), []);
});
