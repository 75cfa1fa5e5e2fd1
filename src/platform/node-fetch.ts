/**
 * The default `fetch` of the registry client, over node:http and node:https. Node 20's built-in
 * fetch keeps every chunk of a streamed request body until the response arrives (a 2 GB layer
 * would sit in memory); this one streams request and response bodies with backpressure. It does
 * what the transport needs and no more: no redirects (the transport follows them), no cookies.
 */
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { Readable } from 'node:stream';
import type { FetchLike } from './http.ts';

/** Node stream → web stream that reads only when asked (Readable.toWeb reads ahead in Node 20). */
export function webStreamOf(src: Readable, onChunk?: (bytes: number) => void): ReadableStream<Uint8Array> {
  const it = src[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  return new ReadableStream<Uint8Array>(
    {
      async pull(c) {
        const { value, done } = await it.next();
        if (done) c.close();
        else {
          onChunk?.(value.length);
          c.enqueue(new Uint8Array(value.buffer, value.byteOffset, value.length));
        }
      },
      cancel(reason) {
        src.destroy(reason instanceof Error ? reason : undefined);
      },
    },
    { highWaterMark: 0 },
  );
}

function headersOf(res: IncomingMessage): Headers {
  const h = new Headers();
  for (const [k, v] of Object.entries(res.headers)) {
    if (Array.isArray(v)) for (const x of v) h.append(k, x);
    else if (v !== undefined) h.set(k, v);
  }
  return h;
}

const NULL_BODY = new Set([101, 204, 205, 304]);

export const nodeFetch: FetchLike = (input, init = {}) =>
  new Promise<Response>((resolve, reject) => {
    const url = new URL(String(input instanceof Request ? input.url : input));
    const method = init.method ?? 'GET';
    const headers: Record<string, string> = {};
    new Headers(init.headers).forEach((v, k) => {
      headers[k] = v;
    });
    const signal = init.signal ?? undefined;
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const req = (url.protocol === 'https:' ? httpsRequest : httpRequest)(url, { method, headers });
    const onAbort = () => req.destroy(signal?.reason instanceof Error ? signal.reason : new Error('aborted'));
    signal?.addEventListener('abort', onAbort, { once: true });
    req.on('error', (e) => {
      signal?.removeEventListener('abort', onAbort);
      reject(new TypeError('fetch failed', { cause: e }));
    });
    req.on('response', (res) => {
      const status = res.statusCode ?? 0;
      res.on('close', () => signal?.removeEventListener('abort', onAbort));
      const empty = method === 'HEAD' || NULL_BODY.has(status);
      if (empty) res.resume();
      // A socket dropped mid-body errors the body stream with the socket's error (ECONNRESET...).
      res.on('aborted', () =>
        res.destroy(Object.assign(new Error('connection closed mid-body'), { code: 'ECONNRESET' })),
      );
      resolve(
        new Response(empty ? null : webStreamOf(res), {
          status: Math.max(200, status),
          headers: headersOf(res),
        }),
      );
    });
    const body = init.body;
    if (body === undefined || body === null) req.end();
    else if (body instanceof Uint8Array) req.end(body);
    else if (typeof body === 'string') req.end(body);
    else if (body instanceof ReadableStream) {
      const src = Readable.fromWeb(body as import('node:stream/web').ReadableStream);
      src.on('error', (e) => req.destroy(e));
      src.pipe(req);
    } else reject(new TypeError('nodeFetch: unsupported body type'));
  });
