/**
 * The bearer token flow (distribution's token spec, as go-containerregistry's transport/bearer.go
 * does it): GET realm?service=&scope=... with Basic credentials or anonymously; with an identity
 * (refresh) token, POST an OAuth2 form instead, falling back to GET when the server says 404.
 */
import { httpAllowed } from './endpoint.ts';
import { RegistryError } from './errors.ts';
import { httpError } from './http-error.ts';
import type { Credentials } from './keychain.ts';
import type { RegistryHttp } from './registry-http.ts';

export interface Token {
  token: string;
  /** When it stops being valid (ms since epoch). */
  expiresAt: number;
  /** A refresh token the server handed out, kept as an identity token. */
  refreshToken?: string;
}

export function basicHeader(c: Credentials): string {
  return `Basic ${Buffer.from(`${c.username ?? ''}:${c.password ?? ''}`).toString('base64')}`;
}

/** Fetches a token for `scopes` (push scope first: some registries only read the first). */
export async function fetchToken(
  transport: RegistryHttp,
  registry: string,
  params: Record<string, string>,
  scopes: readonly string[],
  creds: Credentials | undefined,
  now: () => number = Date.now,
): Promise<Token> {
  const realmText = params.realm;
  if (!realmText)
    throw new RegistryError('REGISTRY_PROTOCOL', `${registry}: bearer challenge without a realm`);
  let realm: URL;
  try {
    realm = new URL(realmText);
  } catch (e) {
    throw new RegistryError(
      'REGISTRY_PROTOCOL',
      `${registry}: token realm ${JSON.stringify(realmText)} is not a URL`,
      {
        cause: e,
      },
    );
  }
  if (
    realm.protocol !== 'https:' &&
    !(realm.protocol === 'http:' && httpAllowed(realm.host, transport.options.insecureRegistries))
  ) {
    throw new RegistryError(
      'REGISTRY_INSECURE_REFUSED',
      `${registry}: refusing to send credentials to the token realm ${realm.origin} over plain http`,
    );
  }
  const what = `token for ${registry} (${scopes.join(' ') || 'no scope'})`;
  let res: Awaited<ReturnType<RegistryHttp['request']>> | undefined;
  if (creds?.identityToken) {
    const form = new URLSearchParams({
      grant_type: 'refresh_token',
      refresh_token: creds.identityToken,
      client_id: 'distill',
      ...(params.service ? { service: params.service } : {}),
      ...(scopes.length ? { scope: scopes.join(' ') } : {}),
    });
    const body = Buffer.from(form.toString());
    res = await transport.request({
      method: 'POST',
      url: realm,
      what,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: async () => body,
      length: body.length,
    });
    if (res.status === 404 || res.status === 405) {
      await res.discard();
      res = undefined;
    }
  }
  if (!res) {
    const url = new URL(realm);
    if (params.service) url.searchParams.set('service', params.service);
    for (const s of scopes) url.searchParams.append('scope', s);
    const headers: Record<string, string> = {};
    if (creds?.username !== undefined && creds.password !== undefined) {
      headers.authorization = basicHeader(creds);
      url.searchParams.set('account', creds.username);
    }
    res = await transport.request({ method: 'GET', url, what, headers });
  }
  if (res.status !== 200) {
    const text = await res.text(64 * 1024).catch(() => '');
    const err = httpError(`getting a ${what}`, res.status, text, { authenticated: Boolean(creds) });
    if (res.status === 401 && creds) {
      throw new RegistryError(
        'REGISTRY_AUTH_FAILED',
        `${registry}: the token server ${realm.host} refused the credentials — check the user name and password (distill login ${registry})`,
        { status: 401, cause: err },
      );
    }
    throw err;
  }
  let j: { token?: string; access_token?: string; expires_in?: number; refresh_token?: string };
  try {
    j = JSON.parse(await res.text(1024 * 1024)) as typeof j;
  } catch (e) {
    throw new RegistryError('REGISTRY_PROTOCOL', `${what}: the token server did not answer JSON`, {
      cause: e,
    });
  }
  const token = j.token || j.access_token;
  if (!token) throw new RegistryError('REGISTRY_PROTOCOL', `${what}: the token server answered no token`);
  // Renew a little early; the spec's default lifetime is 60 s.
  const life = Math.max(10, typeof j.expires_in === 'number' ? j.expires_in : 60);
  return {
    token,
    expiresAt: now() + (life - 5) * 1000,
    ...(j.refresh_token ? { refreshToken: j.refresh_token } : {}),
  };
}
