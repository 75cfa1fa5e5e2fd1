/**
 * Secrets heuristics, in files and in the image's ENV. Files are picked by name (so the scan keeps
 * only a few small ones, see wantSecretFile) and confirmed by content where the name alone says
 * little (a .npmrc without a token is fine). ENV is judged by the variable's name and by the
 * value's shape; a value is never printed, only its length.
 */
import { posix } from 'node:path';
import type { Finding } from '../scan/index.ts';
import type { AuditContext } from './types.ts';

const MAX = 64 * 1024;
const KEY_NAMES = /^(id_(rsa|dsa|ecdsa|ed25519)|.*\.(pem|key|p8))$/;
const PEM_PRIVATE = /-----BEGIN ((RSA|EC|DSA|OPENSSH|ENCRYPTED) )?PRIVATE KEY-----/;
/** Where package data ships throw-away test keys: skipped, not secrets of the image. */
const VENDOR = /\/(node_modules|site-packages|dist-packages|tests?|testdata)\//;

/** Whether the scan should keep this file's bytes for the secrets checks. */
export function wantSecretFile(path: string, size: number): boolean {
  if (size > MAX) return false;
  const base = posix.basename(path);
  if (KEY_NAMES.test(base) || base === '.npmrc' || path.endsWith('/.docker/config.json'))
    return !path.startsWith('/usr/share/');
  return isServiceAccountCandidate(path, size);
}

const isServiceAccountCandidate = (path: string, size: number) =>
  path.endsWith('.json') && size >= 1000 && size <= 16000 && !path.startsWith('/usr/') && !VENDOR.test(path);

export function secretFileFindings(ctx: AuditContext): Finding[] {
  const out: Finding[] = [];
  const add = (path: string, layer: number, title: string, severity: Finding['severity'] = 'high') =>
    out.push({
      id: 'DL-SECRET-FILE',
      severity,
      title,
      path,
      layer,
      hint: 'remove it from the image (and rotate it): pass secrets at run time (mounted secret, env from a secret store)',
    });
  for (const e of ctx.files.files.values()) {
    if (e.type !== 'file') continue;
    const base = posix.basename(e.path);
    const body = ctx.files.contents.get(e.path)?.toString('utf8');
    if (KEY_NAMES.test(base) && body && PEM_PRIVATE.test(body) && !VENDOR.test(e.path))
      add(e.path, e.layer, 'PEM private key', 'critical');
    else if (
      base === '.env' ||
      (/^\.env\.[\w-]+$/.test(base) && !/\.(example|sample|template|dist)$/.test(base))
    )
      add(e.path, e.layer, 'dotenv file (.env)');
    else if (e.path.endsWith('/.aws/credentials')) add(e.path, e.layer, 'AWS credentials file');
    else if (base === '.git-credentials') add(e.path, e.layer, 'git credentials file');
    else if (e.path.endsWith('/.docker/config.json') && body && dockerAuths(body))
      add(e.path, e.layer, 'Docker config.json with registry credentials (auths)');
    else if (base === '.npmrc' && body && /(_authToken|_auth|_password)\s*=/.test(body))
      add(e.path, e.layer, '.npmrc with a registry token');
    else if (body && isServiceAccountCandidate(e.path, e.size) && serviceAccount(body))
      add(e.path, e.layer, 'GCP service-account key (JSON)', 'critical');
  }
  return out;
}

function dockerAuths(body: string): boolean {
  try {
    const auths = JSON.parse(body)?.auths;
    return (
      Boolean(auths) &&
      Object.values(auths).some((a) => a && typeof a === 'object' && Object.keys(a).length > 0)
    );
  } catch {
    return false;
  }
}

function serviceAccount(body: string): boolean {
  try {
    const j = JSON.parse(body);
    return j?.type === 'service_account' && typeof j.private_key === 'string';
  } catch {
    return false;
  }
}

const SECRET_NAME =
  /(PASS(WORD|WD)?|SECRET|TOKEN|API_?KEY|ACCESS_?KEY|PRIVATE_?KEY|CREDENTIALS?|AUTH)$|^(PASS|SECRET|TOKEN)/i;
const NOT_SECRET_NAME = /^(GPG_KEYS?|.*_(FILE|PATH|DIR|URL|URI|HOST|PORT|USER|NAME|ID))$/i;
const VALUE_SHAPES: [string, RegExp][] = [
  ['AWS access key id', /\b(AKIA|ASIA)[0-9A-Z]{16}\b/],
  ['GitHub token', /\b(gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{40,})\b/],
  ['GitLab token', /\bglpat-[A-Za-z0-9_-]{20,}\b/],
  ['Slack token', /\bxox[abprs]-[A-Za-z0-9-]{10,}\b/],
  ['Stripe live key', /\b[sr]k_live_[A-Za-z0-9]{20,}\b/],
  ['npm token', /\bnpm_[A-Za-z0-9]{36}\b/],
  ['Google API key', /\bAIza[0-9A-Za-z_-]{35}\b/],
  ['JSON Web Token', /\beyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}/],
  ['private key', PEM_PRIVATE],
];

/** ENV entries that look like secrets; the value is masked (`***`, 40 chars). */
export function envFindings(env: readonly string[]): Finding[] {
  const out: Finding[] = [];
  for (const kv of env) {
    const i = kv.indexOf('=');
    const name = i < 0 ? kv : kv.slice(0, i);
    const value = i < 0 ? '' : kv.slice(i + 1);
    if (!value) continue;
    const shape = VALUE_SHAPES.find(([, re]) => re.test(value))?.[0];
    const byName = SECRET_NAME.test(name) && !NOT_SECRET_NAME.test(name);
    if (!shape && !byName) continue;
    out.push({
      id: 'DL-SECRET-ENV',
      severity: shape ? 'critical' : 'high',
      title: `ENV ${name}=*** (${value.length} chars) ${shape ? `looks like a ${shape}` : 'is named like a secret'}`,
      hint: 'never bake secrets into the image config: everyone who pulls it can read them; pass them at run time',
    });
  }
  return out;
}
