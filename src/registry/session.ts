/**
 * One registry host, authenticated: ping (`GET /v2/`) picks the scheme and learns the challenge;
 * each request carries Basic credentials or a bearer token for its scopes; a 401 in the middle
 * (expired token, a scope the registry wants that we did not ask for) re-authenticates once with
 * the merged scopes. Authorization goes only to the registry's own origin.
 */

import { assertRegistryAnswer } from './api-check.ts';
import { type Challenge, pickChallenge } from './challenge.ts';
import { schemesFor } from './endpoint.ts';
import { RegistryError } from './errors.ts';
import { httpError, RETRYABLE_STATUS } from './http-error.ts';
import type { Credentials, Keychain } from './keychain.ts';
import { apiHost } from './reference.ts';
import type { HttpRequest, HttpResponse, RegistryHttp } from './registry-http.ts';
import { basicHeader, fetchToken, type Token } from './token.ts';

/** `repository:NAME:push,pull` and friends. */
export function repoScope(repository: string, actions: 'pull' | 'push,pull'): string {
  return `repository:${repository}:${actions}`;
}

export type SessionRequest = Omit<HttpRequest, 'url'> & { url: URL | string };

export class RegistrySession {
  private base: URL | undefined;
  private challenge: Challenge | undefined;
  private creds: Credentials | undefined;
  private credsLoaded = false;
  private readonly tokens = new Map<string, Promise<Token>>();
  private pinging: Promise<void> | undefined;

  constructor(
    /** The registry as written in references (`docker.io`, `127.0.0.1:5000`). */
    readonly registry: string,
    readonly transport: RegistryHttp,
    private readonly keychain: Keychain,
    private readonly repositoryHint?: string,
    private readonly now: () => number = Date.now,
  ) {}

  /** The base URL (`https://host/`), after ping. */
  async baseUrl(): Promise<URL> {
    await this.ping();
    return this.base as URL;
  }

  /** Pings once: chooses https (or http for loopback / insecure hosts) and records the challenge. */
  ping(): Promise<void> {
    this.pinging ??= this.doPing();
    return this.pinging;
  }

  private async doPing(): Promise<void> {
    const host = apiHost(this.registry);
    const schemes = schemesFor(host, this.transport.options.insecureRegistries);
    const t = this.transport.options;
    let lastErr: unknown;
    // Rounds over the schemes: a scheme that answers at all is the registry's (a 503 or 429
    // there is retried there, with Retry-After); a failure to connect moves on to the next
    // scheme, and when every scheme failed to connect the round is tried again after a backoff.
    for (let round = 1; round <= t.policy.attempts; round++) {
      for (const scheme of schemes) {
        const url = new URL(`${scheme}://${host}/v2/`);
        try {
          const res = await this.transport.request({
            method: 'GET',
            url,
            what: `ping ${host}`,
            retryNetwork: false,
          });
          const body = await res.text(64 * 1024).catch(() => '');
          if (res.status === 200 || res.status === 401) {
            assertRegistryAnswer(url, res.status, res.headers, body);
            this.base = new URL(`${scheme}://${host}/`);
            if (res.status === 401) this.challenge = pickChallenge(res.headers.get('www-authenticate'));
            return;
          }
          if (RETRYABLE_STATUS.has(res.status))
            throw httpError(`ping ${host}`, res.status, body, { retryAfter: res.headers.get('retry-after') });
          // It answered, so this is the scheme; but not as a registry does.
          throw new RegistryError(
            'REGISTRY_NOT_A_REGISTRY',
            `${url.href} answered HTTP ${res.status}: this is not an OCI registry (check the host and port)`,
            { status: res.status },
          );
        } catch (e) {
          lastErr = e;
          if (
            !(e instanceof RegistryError) ||
            (e.code !== 'REGISTRY_NETWORK' && e.code !== 'REGISTRY_TIMEOUT')
          ) {
            this.pinging = undefined;
            throw e;
          }
        }
      }
      if (round < t.policy.attempts) {
        const delayMs = this.transport.delayFor(lastErr as RegistryError, round);
        t.onRetry?.({ what: `ping ${host}`, attempt: round, delayMs, error: lastErr as RegistryError });
        await t.sleep(delayMs);
      }
    }
    this.pinging = undefined;
    throw lastErr;
  }

  private async credentials(): Promise<Credentials | undefined> {
    if (!this.credsLoaded) {
      this.creds = await this.keychain.resolve(this.registry, this.repositoryHint);
      this.credsLoaded = true;
    }
    return this.creds;
  }

  /** The Authorization header for `scopes` under the current challenge, if any is needed. */
  private async authorization(scopes: readonly string[], force: boolean): Promise<string | undefined> {
    const ch = this.challenge;
    if (!ch) return undefined;
    const creds = await this.credentials();
    if (ch.scheme === 'basic') return creds?.username !== undefined ? basicHeader(creds) : undefined;
    if (creds?.registryToken) return `Bearer ${creds.registryToken}`;
    const key = scopes.join(' ');
    const cached = this.tokens.get(key);
    // Parallel uploads share one token request per scope set.
    if (cached && !force) {
      const t = await cached;
      if (t.expiresAt > this.now()) return `Bearer ${t.token}`;
    }
    const p = fetchToken(this.transport, this.registry, ch.params, scopes, creds, this.now).then((t) => {
      if (t.refreshToken && creds) creds.identityToken = t.refreshToken;
      return t;
    });
    this.tokens.set(key, p);
    p.catch(() => {
      if (this.tokens.get(key) === p) this.tokens.delete(key);
    });
    return `Bearer ${(await p).token}`;
  }

  /** Whether a credential was (or would be) sent: a 401 then means "refused", not "needed". */
  private async hasCredentials(): Promise<boolean> {
    return Boolean(await this.credentials());
  }

  /**
   * Sends `req` with authorization for `scopes`; a path is resolved against the base URL.
   * Returns any response but a 401 (which becomes REGISTRY_AUTH_FAILED / _REQUIRED).
   */
  async request(req: SessionRequest, scopes: readonly string[]): Promise<HttpResponse> {
    const base = await this.baseUrl();
    const url = typeof req.url === 'string' ? new URL(req.url, base) : req.url;
    let wanted = [...scopes];
    for (let round = 0; ; round++) {
      const sameOrigin = url.origin === base.origin;
      const auth = sameOrigin ? await this.authorization(wanted, round > 0) : undefined;
      const headers = { ...req.headers, ...(auth ? { authorization: auth } : {}) };
      const res = await this.transport.request({ ...req, url, headers });
      if (res.status !== 401 || !sameOrigin || round >= 1) {
        if (res.status === 401) {
          const text = await res.text(64 * 1024).catch(() => '');
          throw httpError(`${req.what} (${this.registry})`, 401, text, {
            authenticated: Boolean(auth) && (await this.hasCredentials()),
          });
        }
        return res;
      }
      const text = await res.text(64 * 1024).catch(() => '');
      const ch = pickChallenge(res.headers.get('www-authenticate'));
      if (!ch) {
        throw httpError(`${req.what} (${this.registry})`, 401, text, { authenticated: Boolean(auth) });
      }
      // Learn the challenge (ping may have been anonymous) and add any scope the registry asks for.
      this.challenge = ch;
      const asked = ch.params.scope?.split(' ').filter(Boolean) ?? [];
      wanted = [...wanted, ...asked.filter((s) => !wanted.includes(s))];
      if (ch.scheme === 'basic' && !(await this.hasCredentials())) {
        throw httpError(`${req.what} (${this.registry})`, 401, text, { authenticated: false });
      }
    }
  }
}
