/**
 * Credentials for a registry request, looked up the way npm-registry-fetch does: settings keyed by
 * the URL's "nerf dart" (`//host[:port]/path/`), walking up the path until one carries credentials,
 * so a token configured for a registry is only ever sent to that registry's host.
 */
import type { IniValue } from './ini.ts';

/** `//host[:port]/dir/` of a URL: protocol, query, fragment and last path segment dropped. */
export function nerfDart(url: string): string {
  const u = new URL(url);
  const dir = new URL('.', `${u.protocol}//${u.host}${u.pathname}`);
  return `//${dir.host}${dir.pathname}`;
}

const str = (v: IniValue | undefined) => (typeof v === 'string' && v !== '' ? v : undefined);

/** The Authorization header value for `url`, or undefined when no credentials are configured. */
export function authorizationFor(url: string, settings: Record<string, IniValue>): string | undefined {
  for (let key = nerfDart(url); key.length > 2; key = key.replace(/([^/]+|\/)$/, '')) {
    const token = str(settings[`${key}:_authToken`]);
    if (token) return `Bearer ${token}`;
    const auth = str(settings[`${key}:_auth`]);
    if (auth) return `Basic ${auth}`;
    const user = str(settings[`${key}:username`]);
    const pass = str(settings[`${key}:_password`]);
    if (user && pass) {
      // npm stores _password base64-encoded.
      const plain = Buffer.from(pass, 'base64').toString('utf8');
      return `Basic ${Buffer.from(`${user}:${plain}`).toString('base64')}`;
    }
  }
  return undefined;
}
