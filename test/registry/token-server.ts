/**
 * A token server for the registry's `auth: token:` configuration, run in-process: a self-signed
 * certificate made with openssl, and RS256 JWTs carrying the certificate in `x5c` (which the
 * registry checks against its rootcertbundle). Grants what the scope asks for to known users
 * (push only for `pushers`), pull to anonymous users when `anonymousPull`.
 */
import { createSign, randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { runOk } from '../helpers/tools.ts';

export interface TokenServer {
  realm: string;
  service: string;
  issuer: string;
  certFile: string;
  /** Every token request: the user (or '' for anonymous) and the scopes asked for. */
  requests: { user: string; scopes: string[] }[];
}

const b64url = (b: Buffer | string) => Buffer.from(b).toString('base64url');

function basicUser(req: IncomingMessage, users: Record<string, string>): string | null | undefined {
  const h = req.headers.authorization;
  if (!h?.startsWith('Basic ')) return undefined;
  const plain = Buffer.from(h.slice(6), 'base64').toString();
  const i = plain.indexOf(':');
  const u = plain.slice(0, i);
  return users[u] === plain.slice(i + 1) ? u : null;
}

export async function startTokenServer(
  t: Pick<TestContext, 'after'>,
  dir: string,
  users: Record<string, string>,
  opts: { anonymousPull?: boolean } = {},
): Promise<TokenServer> {
  const keyFile = join(dir, 'token.key');
  const certFile = join(dir, 'token.crt');
  runOk('openssl', [
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    keyFile,
    '-out',
    certFile,
    '-days',
    '1',
    '-subj',
    '/CN=distill-test-token',
  ]);
  const key = await readFile(keyFile, 'utf8');
  const pem = await readFile(certFile, 'utf8');
  const x5c = pem.replace(/-----(BEGIN|END) CERTIFICATE-----|\s/g, '');
  const service = 'distill-test-registry';
  const issuer = 'distill-test-issuer';
  const requests: TokenServer['requests'] = [];
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const user = basicUser(req, users);
    if (user === null) {
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end('{"errors":[{"code":"UNAUTHORIZED","message":"wrong user name or password"}]}');
      return;
    }
    const scopes = url.searchParams.getAll('scope');
    requests.push({ user: user ?? '', scopes });
    const access = scopes.flatMap((s) => {
      const [type, name, actions = ''] = s.split(':');
      const wanted = actions.split(',').filter(Boolean);
      const granted = user ? wanted : opts.anonymousPull ? wanted.filter((a) => a === 'pull') : [];
      return granted.length ? [{ type, name, actions: granted }] : [];
    });
    const now = Math.floor(Date.now() / 1000);
    const header = { typ: 'JWT', alg: 'RS256', x5c: [x5c] };
    const claims = {
      iss: issuer,
      sub: user ?? '',
      aud: service,
      exp: now + 300,
      nbf: now - 10,
      iat: now,
      jti: randomUUID(),
      access,
    };
    const signing = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`;
    const sig = createSign('RSA-SHA256').update(signing).sign(key);
    const token = `${signing}.${b64url(sig)}`;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ token, access_token: token, expires_in: 300 }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  t.after(() => new Promise<void>((r) => server.close(() => r())));
  const a = server.address();
  const port = typeof a === 'object' && a ? a.port : 0;
  return { realm: `http://127.0.0.1:${port}/token`, service, issuer, certFile, requests };
}
