import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import { nodeFetch, webStreamOf } from './node-fetch.ts';

async function serve(
  t: { after(fn: () => unknown): void },
  handler: Parameters<typeof createServer>[1],
): Promise<string> {
  const s: Server = createServer(handler);
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  t.after(() => {
    s.closeAllConnections();
    s.close();
  });
  const a = s.address();
  return `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}`;
}

describe('nodeFetch', () => {
  it('streams a request body (with Content-Length) and a response body; keeps headers', async (t) => {
    const base = await serve(t, (req, res) => {
      let n = 0;
      req.on('data', (c: Buffer) => {
        n += c.length;
      });
      req.on('end', () => {
        res.writeHead(201, {
          'x-got': String(n),
          'x-len': req.headers['content-length'] ?? '',
          location: '/next',
        });
        res.end('done');
      });
    });
    const chunks = Array.from({ length: 50 }, () => Buffer.alloc(64 * 1024, 7));
    let counted = 0;
    const body = webStreamOf(Readable.from(chunks), (n) => {
      counted += n;
    });
    const res = await nodeFetch(`${base}/up`, {
      method: 'PUT',
      body,
      headers: { 'content-length': String(50 * 64 * 1024) },
      duplex: 'half',
    } as RequestInit);
    assert.equal(res.status, 201);
    assert.equal(res.headers.get('x-got'), String(50 * 64 * 1024));
    assert.equal(res.headers.get('x-len'), String(50 * 64 * 1024));
    assert.equal(res.headers.get('location'), '/next');
    assert.equal(await res.text(), 'done');
    assert.equal(counted, 50 * 64 * 1024);
  });

  it('HEAD and 204 have no body; a connection reset is a TypeError whose cause has a code', async (t) => {
    const base = await serve(t, (req, res) => {
      if (req.url === '/reset') {
        req.socket.destroy();
        return;
      }
      if (req.url === '/mid') {
        res.writeHead(200, { 'content-length': '100000' });
        res.write(Buffer.alloc(1000));
        setTimeout(() => req.socket.destroy(), 20);
        return;
      }
      res.writeHead(req.url === '/empty' ? 204 : 200, { 'docker-content-digest': 'sha256:x' });
      res.end(req.method === 'HEAD' ? undefined : 'x');
    });
    const head = await nodeFetch(`${base}/h`, { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(head.body, null);
    assert.equal((await nodeFetch(`${base}/empty`)).status, 204);
    await assert.rejects(
      nodeFetch(`${base}/reset`),
      (e: Error) => e instanceof TypeError && typeof (e.cause as { code?: string }).code === 'string',
    );
    const mid = await nodeFetch(`${base}/mid`);
    await assert.rejects(mid.arrayBuffer());
  });

  it('an abort signal destroys the request', async (t) => {
    const base = await serve(t, () => {
      // never answers
    });
    const c = new AbortController();
    const p = nodeFetch(`${base}/slow`, { signal: c.signal });
    setTimeout(() => c.abort(new Error('stop')), 20);
    await assert.rejects(p);
  });
});
