import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fetchWithRetry } from './http.ts';
import { FETCH_RETRY, isTransientStatus, retryAfterMs } from './retry.ts';

/** A fake fetch answering from a script of responses/errors, recording calls. */
function scripted(steps: Array<Response | Error>) {
  const calls: string[] = [];
  const fetch = async (url: string | URL) => {
    calls.push(String(url));
    const s = steps.shift();
    if (!s) throw new Error('script exhausted');
    if (s instanceof Error) throw s;
    return s;
  };
  return { fetch, calls };
}
const reset = () => Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNRESET' } });

test('retries resets and 5xx, then succeeds', async () => {
  const waits: number[] = [];
  const { fetch, calls } = scripted([reset(), new Response('', { status: 503 }), new Response('ok')]);
  const res = await fetchWithRetry('http://x/a', {}, { fetch, sleep: async (ms) => void waits.push(ms) });
  assert.equal(await res.text(), 'ok');
  assert.equal(calls.length, 3);
  assert.deepEqual(waits, [250, 500]);
});

test('honours Retry-After on 429, bounded by maxDelayMs', async () => {
  const waits: number[] = [];
  const { fetch } = scripted([
    new Response('', { status: 429, headers: { 'retry-after': '3' } }),
    new Response('', { status: 408, headers: { 'retry-after': '999' } }),
    new Response('ok'),
  ]);
  await fetchWithRetry(
    'http://x/a',
    {},
    { fetch, policy: { ...FETCH_RETRY, maxDelayMs: 5000 }, sleep: async (ms) => void waits.push(ms) },
  );
  assert.deepEqual(waits, [3000, 5000]);
});

test('404 fails at once with HTTP_STATUS and the status', async () => {
  const { fetch, calls } = scripted([new Response('', { status: 404 })]);
  await assert.rejects(fetchWithRetry('http://x/a', {}, { fetch, sleep: async () => {} }), {
    code: 'HTTP_STATUS',
    status: 404,
  });
  assert.equal(calls.length, 1);
});

test('gives up after `retries` with HTTP_NETWORK / HTTP_STATUS', async () => {
  const a = scripted([reset(), reset(), reset()]);
  await assert.rejects(
    fetchWithRetry(
      'http://x/a',
      {},
      { fetch: a.fetch, policy: { ...FETCH_RETRY, attempts: 3 }, sleep: async () => {} },
    ),
    {
      code: 'HTTP_NETWORK',
    },
  );
  assert.equal(a.calls.length, 3);
  const b = scripted([new Response('', { status: 502 }), new Response('', { status: 502 })]);
  await assert.rejects(
    fetchWithRetry(
      'http://x/a',
      {},
      { fetch: b.fetch, policy: { ...FETCH_RETRY, attempts: 2 }, sleep: async () => {} },
    ),
    {
      code: 'HTTP_STATUS',
      status: 502,
    },
  );
});

test('an aborted request is not retried', async () => {
  const ac = new AbortController();
  ac.abort();
  const { fetch, calls } = scripted([new DOMException('aborted', 'AbortError') as Error]);
  await assert.rejects(fetchWithRetry('http://x/a', { signal: ac.signal }, { fetch }), {
    code: 'HTTP_ABORTED',
  });
  assert.equal(calls.length, 1);
});

test('helpers', () => {
  assert.equal(isTransientStatus(503), true);
  assert.equal(isTransientStatus(501), false);
  assert.equal(isTransientStatus(404), false);
  assert.equal(retryAfterMs('Thu, 01 Jan 1970 00:00:10 GMT', 4000), 6000);
  assert.equal(retryAfterMs('garbage', 0), undefined);
});
