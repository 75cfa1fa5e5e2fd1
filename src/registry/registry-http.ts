/**
 * HTTP for the registry protocol over an injected `fetch`: redirects followed by hand so that
 * Authorization never reaches another host, an idle watchdog so a stalled connection fails
 * instead of hanging, and retries as go-containerregistry does them (408/429/5xx, resets and
 * broken pipes; Retry-After honoured up to a bound; 1 s then 3 s backoff; 3 attempts).
 */
import { Readable } from 'node:stream';
import {
  type FetchLike,
  nodeFetch,
  REGISTRY_RETRY,
  type RetryPolicy,
  retryDelay,
  webStreamOf,
} from '../platform/index.ts';
import { httpAllowed } from './endpoint.ts';
import { RegistryError } from './errors.ts';
import { httpError, RETRYABLE_STATUS } from './http-error.ts';
import { networkError } from './network-error.ts';
import { Watchdog } from './watchdog.ts';

export type { FetchLike };

export interface RegistryHttpOptions {
  fetch?: FetchLike;
  sleep?: (ms: number) => Promise<void>;
  /** Attempts, waits, Retry-After cap, statuses. Default REGISTRY_RETRY (go-containerregistry's). */
  policy?: RetryPolicy;
  /** A request fails with REGISTRY_TIMEOUT when no byte moves for this long. Default 60 s. */
  idleTimeoutMs?: number;
  insecureRegistries?: readonly string[];
  userAgent?: string;
  onRetry?: (info: { what: string; attempt: number; delayMs: number; error: RegistryError }) => void;
}

export interface HttpRequest {
  method: 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  url: URL;
  headers?: Record<string, string>;
  /** Opens the body; called again for each attempt and redirect. */
  body?: () => Promise<Readable | Buffer>;
  /** Body length, sent as Content-Length. */
  length?: number;
  /** Bytes of the body sent so far (streamed bodies). */
  onProgress?: (sent: number) => void;
  /** Retry on retryable failures. Default true; upload-session requests set false. */
  retry?: boolean;
  /**
   * Retry connection-level failures (refused, reset, TLS) too. Default true; the ping sets false
   * where another scheme is left to try, so only an HTTP answer is retried on its own scheme.
   */
  retryNetwork?: boolean;
  /** For messages: what this request does ("HEAD blob sha256:..."). */
  what: string;
}

export interface HttpResponse {
  readonly status: number;
  readonly headers: Headers;
  /** The URL that answered, after redirects: relative Locations resolve against it. */
  readonly url: URL;
  /** The body as a node stream, watched for stalls. */
  stream(): Readable;
  /** The whole body, failing with REGISTRY_TOO_LARGE beyond `limit` bytes. */
  bytes(limit?: number): Promise<Buffer>;
  text(limit?: number): Promise<string>;
  /** Drops the body (releases the connection). */
  discard(): Promise<void>;
}

const DEFAULT_LIMIT = 8 * 1024 * 1024;
export class RegistryHttp {
  readonly options: Required<Omit<RegistryHttpOptions, 'onRetry' | 'userAgent'>> &
    Pick<RegistryHttpOptions, 'onRetry' | 'userAgent'>;
  constructor(opts: RegistryHttpOptions = {}) {
    this.options = {
      fetch: opts.fetch ?? nodeFetch,
      sleep: opts.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms))),
      policy: opts.policy ?? REGISTRY_RETRY,
      idleTimeoutMs: opts.idleTimeoutMs ?? 60_000,
      insecureRegistries: opts.insecureRegistries ?? [],
      onRetry: opts.onRetry,
      userAgent: opts.userAgent,
    };
  }

  /** How long to wait before attempt `attempt + 1`. */
  delayFor(err: RegistryError, attempt: number): number {
    return retryDelay(this.options.policy, attempt, err.retryAfterMs);
  }

  /** Sends with retries: network failures and 408/429/5xx are tried again, up to `attempts`. */
  async request(req: HttpRequest): Promise<HttpResponse> {
    const attempts = req.retry === false ? 1 : Math.max(1, this.options.policy.attempts);
    for (let attempt = 1; ; attempt++) {
      let err: Error;
      try {
        const res = await this.send(req);
        if (!RETRYABLE_STATUS.has(res.status) || req.retry === false) return res;
        const text = await res.text(64 * 1024).catch(() => '');
        err = httpError(req.what, res.status, text, {
          retryAfter: res.headers.get('retry-after'),
          attempts: attempt,
        });
      } catch (e) {
        err = e as Error;
        if (req.retryNetwork === false) throw err;
      }
      if (!(err instanceof RegistryError) || !err.retryable || attempt >= attempts) {
        throw attempts > 1 && err instanceof RegistryError && attempt > 1 ? withAttempts(err, attempt) : err;
      }
      const delayMs = this.delayFor(err, attempt);
      this.options.onRetry?.({ what: req.what, attempt, delayMs, error: err });
      await this.options.sleep(delayMs);
    }
  }

  /** One attempt, following redirects (Authorization is dropped when the origin changes). */
  async send(req: HttpRequest): Promise<HttpResponse> {
    let url = req.url;
    let method = req.method;
    let headers: Record<string, string> = { ...req.headers };
    if (this.options.userAgent) headers['user-agent'] = this.options.userAgent;
    let withBody = req.body !== undefined;
    for (let hop = 0; ; hop++) {
      if (url.protocol === 'http:' && !httpAllowed(url.host, this.options.insecureRegistries)) {
        throw new RegistryError(
          'REGISTRY_INSECURE_REFUSED',
          `${req.what}: refusing plain http to ${url.host}; use https, or --insecure-registry ${url.host} if you trust the network`,
        );
      }
      const res = await this.once(req, method, url, headers, withBody);
      const loc = res.headers.get('location');
      if (![301, 302, 303, 307, 308].includes(res.status) || !loc || hop >= 10) return res;
      // Redirects on upload sessions are answers (their Location is the next step), not hops.
      if (
        method === 'POST' ||
        method === 'PATCH' ||
        (method === 'PUT' && res.status !== 307 && res.status !== 308)
      )
        return res;
      await res.discard();
      const next = new URL(loc, url);
      if (next.origin !== url.origin) {
        headers = Object.fromEntries(
          Object.entries(headers).filter(([k]) => k.toLowerCase() !== 'authorization'),
        );
      }
      if (res.status === 303) {
        method = 'GET';
        withBody = false;
      }
      url = next;
    }
  }

  private async once(
    req: HttpRequest,
    method: string,
    url: URL,
    headers: Record<string, string>,
    withBody: boolean,
  ): Promise<HttpResponse> {
    const controller = new AbortController();
    const timeout = new RegistryError(
      'REGISTRY_TIMEOUT',
      `${req.what}: no data for ${Math.round(this.options.idleTimeoutMs / 1000)} s from ${url.host} (stalled connection)`,
      { retryable: true },
    );
    let body: Readable | undefined;
    // Abort the request, and the body stream we hand out (a fetch may not watch its signal once
    // the headers are in).
    const dog = new Watchdog(this.options.idleTimeoutMs, () => {
      controller.abort(timeout);
      body?.destroy(timeout);
    });
    const init: RequestInit & { duplex?: 'half' } = {
      method,
      headers: { ...headers },
      redirect: 'manual',
      signal: controller.signal,
    };
    let upload: Readable | undefined;
    if (withBody && req.body) {
      const b = await req.body();
      if (req.length !== undefined)
        (init.headers as Record<string, string>)['content-length'] = String(req.length);
      if (Buffer.isBuffer(b))
        init.body = new Uint8Array(b.buffer, b.byteOffset, b.length) as Uint8Array<ArrayBuffer>;
      else {
        upload = b;
        let sent = 0;
        init.body = webStreamOf(b, (n) => {
          sent += n;
          dog.kick();
          req.onProgress?.(sent);
        });
        init.duplex = 'half';
      }
    }
    let res: Response;
    try {
      res = await this.options.fetch(url, init);
    } catch (e) {
      dog.stop();
      upload?.destroy();
      throw dog.fired ? timeout : networkError(`${req.what} (${url.host})`, e);
    }
    dog.kick();
    let consumed = false;
    const stream = (): Readable => {
      if (consumed) throw new Error('response body read twice');
      consumed = true;
      if (!res.body) {
        dog.stop();
        return Readable.from([]);
      }
      const src = Readable.fromWeb(res.body as unknown as import('node:stream/web').ReadableStream);
      const out = new Readable({ read: () => src.resume() });
      body = out;
      src.on('data', (c: Buffer) => {
        dog.kick();
        if (!out.push(c)) src.pause();
      });
      src.on('end', () => {
        dog.stop();
        out.push(null);
      });
      src.on('error', (e) => {
        dog.stop();
        out.destroy(dog.fired ? timeout : networkError(`${req.what} (${url.host})`, e));
      });
      out.on('close', () => {
        dog.stop();
        if (!src.readableEnded) src.destroy();
      });
      return out;
    };
    const bytes = async (limit = DEFAULT_LIMIT): Promise<Buffer> => {
      const chunks: Buffer[] = [];
      let n = 0;
      const s = stream();
      for await (const c of s) {
        n += (c as Buffer).length;
        if (n > limit) {
          s.destroy();
          throw new RegistryError('REGISTRY_TOO_LARGE', `${req.what}: response larger than ${limit} bytes`);
        }
        chunks.push(c as Buffer);
      }
      return Buffer.concat(chunks);
    };
    if (method === 'HEAD') dog.stop();
    return {
      status: res.status,
      headers: res.headers,
      url,
      stream,
      bytes,
      text: async (limit) => (await bytes(limit)).toString('utf8'),
      discard: async () => {
        if (consumed) return;
        consumed = true;
        // A short body (a 202's nothing, an error's JSON) is read to its end so the connection
        // goes back to the pool; cancelling would close it and every request would pay a new one.
        const reader = res.body?.getReader();
        let left = 64 * 1024;
        try {
          while (reader && left > 0) {
            const { done, value } = await reader.read();
            if (done) break;
            left -= value.length;
          }
          if (left <= 0) await reader?.cancel();
        } catch {
          // the connection is gone either way
        } finally {
          dog.stop();
        }
      },
    };
  }
}

function withAttempts(err: RegistryError, attempts: number): RegistryError {
  if (/after \d+ attempts/.test(err.message)) return err;
  return new RegistryError(err.code, `${err.message} (gave up after ${attempts} attempts)`, {
    cause: err.cause,
    ...(err.status !== undefined ? { status: err.status } : {}),
    entries: [...err.entries],
    retryable: err.retryable,
  });
}
