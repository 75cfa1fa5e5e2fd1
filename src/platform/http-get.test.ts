import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { httpGet, httpGetFetch } from './http-get.ts';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;
const routes = new Map<string, Handler>();
const seen: Array<{ url: string; auth?: string; port: number }> = [];
let a: Server;
let b: Server;
let A: string;
let B: string;

function serve(): Promise<Server> {
  const s = createServer((req, res) => {
    const port = (s.address() as AddressInfo).port;
    seen.push({
      url: req.url ?? '',
      ...(req.headers.authorization ? { auth: req.headers.authorization } : {}),
      port,
    });
    const h = routes.get(req.url ?? '');
    if (h) h(req, res);
    else res.writeHead(404).end('nope');
  });
  return new Promise((r) => s.listen(0, '127.0.0.1', () => r(s)));
}

before(async () => {
  a = await serve();
  b = await serve();
  A = `http://127.0.0.1:${(a.address() as AddressInfo).port}`;
  B = `http://127.0.0.1:${(b.address() as AddressInfo).port}`;
  routes.set('/ok', (_q, r) =>
    r.writeHead(200, { 'x-thing': 'yes', 'content-type': 'application/json' }).end('{"n":1}'),
  );
  routes.set('/rel', (_q, r) => r.writeHead(302, { location: '/ok' }).end());
  routes.set('/abs', (_q, r) => r.writeHead(307, { location: `${B}/ok` }).end());
  routes.set('/loop', (_q, r) => r.writeHead(301, { location: '/loop' }).end());
  routes.set('/cut', (_q, r) => {
    r.writeHead(200, { 'content-length': '100000' });
    r.write(Buffer.alloc(1000));
    setTimeout(() => r.socket?.destroy(), 20);
  });
  routes.set('/silent', () => {});
});
after(() => {
  a.closeAllConnections();
  b.closeAllConnections();
  a.close();
  b.close();
});

test('a 200: status, headers, the whole body as bytes or JSON', async () => {
  const r = await httpGet(`${A}/ok`);
  assert.equal(r.ok, true);
  assert.equal(r.status, 200);
  assert.equal(r.headers.get('X-Thing'), 'yes');
  assert.equal(r.headers.get('x-none'), null);
  assert.deepEqual(await r.json(), { n: 1 });
  await assert.rejects(r.arrayBuffer(), /already read/);
  const bytes = Buffer.from(await (await httpGet(`${A}/ok`)).arrayBuffer());
  assert.equal(bytes.toString(), '{"n":1}');
});

test('an error status is an answer, not a rejection (as with fetch)', async () => {
  const r = await httpGet(`${A}/missing`);
  assert.equal(r.ok, false);
  assert.equal(r.status, 404);
  assert.equal(r.statusText, 'Not Found');
  await r.body?.cancel();
});

test('redirects are followed; Authorization goes to the same origin only; loops end', async () => {
  seen.length = 0;
  assert.deepEqual(
    await (await httpGetFetch(`${A}/rel`, { headers: { Authorization: 'Bearer t' } })).json(),
    { n: 1 },
  );
  assert.deepEqual(
    seen.map((s) => s.auth),
    ['Bearer t', 'Bearer t'],
  );
  seen.length = 0;
  assert.deepEqual(
    await (await httpGetFetch(`${A}/abs`, { headers: { Authorization: 'Bearer t' } })).json(),
    { n: 1 },
  );
  assert.deepEqual(
    seen.map((s) => [s.url, s.auth]),
    [
      ['/abs', 'Bearer t'],
      ['/ok', undefined],
    ],
  );
  await assert.rejects(httpGet(`${A}/loop`, { maxRedirects: 3 }), (e: Error) => {
    assert.equal(e.message, 'fetch failed');
    assert.match(String((e.cause as Error).message), /too many redirects/);
    return true;
  });
});

test('a connection cut mid-body rejects the body; a silent server times out; abort aborts', async () => {
  const cut = await httpGet(`${A}/cut`);
  await assert.rejects(cut.arrayBuffer(), /closed mid-body|aborted|socket hang up|ECONNRESET/);
  await assert.rejects(httpGet(`${A}/silent`, { timeoutMs: 100 }), (e: Error) =>
    /no answer/.test(String((e.cause as Error).message)),
  );
  const ctl = new AbortController();
  const p = httpGet(`${A}/silent`, { signal: ctl.signal });
  setTimeout(() => ctl.abort(new Error('stop')), 20);
  await assert.rejects(p);
  await assert.rejects(httpGet('ftp://127.0.0.1/x'), /unsupported URL scheme/);
  await assert.rejects(httpGetFetch(`${A}/ok`, { method: 'POST' }), /GET only/);
});
