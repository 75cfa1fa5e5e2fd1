/**
 * Where packages come from (DESIGN.md): `--mirror` / DISTILL_DEBIAN_MIRROR (and
 * DISTILL_DEBIAN_SECURITY_MIRROR), else the config file, else the host's apt sources when they
 * point at a Debian archive; otherwise an error that says how to set it. No host is built in.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DebianError } from '../errors.ts';
import type { ArchiveSource, DebianRelease, ReleaseSpec } from '../types.ts';
import { type AptSource, parseDeb822Sources, parseOneLineSources } from './mirror-sources.ts';

/** The two archives a Debian release needs. */
export interface Mirrors {
  /** Main archive base URL (serves <codename> and <codename>-updates). */
  readonly main: string;
  /** Security archive base URL (serves <codename>-security). */
  readonly security: string;
  /** Where each came from, for messages: 'flag', 'env', 'config', 'apt:<file>' or 'derived'. */
  readonly from: { readonly main: string; readonly security: string };
}

/** Inputs to discovery; every effect and path is a parameter so tests use fixture files. */
export interface DiscoverOptions {
  /** `--mirror` */
  readonly flag?: string | undefined;
  /** `--security-mirror` */
  readonly securityFlag?: string | undefined;
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** From the config file. */
  readonly config?:
    | { readonly mirror?: string | undefined; readonly securityMirror?: string | undefined }
    | undefined;
  /** Default '/etc/apt/sources.list'. */
  readonly sourcesList?: string;
  /** Default '/etc/apt/sources.list.d'. */
  readonly sourcesDir?: string;
  readonly readFile?: (path: string) => Promise<string>;
  readonly readdir?: (path: string) => Promise<string[]>;
}

/** Debian suite names (codenames and aliases) that mark an apt source as a Debian archive. */
const DEBIAN_SUITES =
  /^(buzz|rex|bo|hamm|slink|potato|woody|sarge|etch|lenny|squeeze|wheezy|jessie|stretch|buster|bullseye|bookworm|trixie|forky|duke|sid|stable|oldstable|oldoldstable|testing|unstable|experimental)(-updates|-backports|-proposed-updates|-security|\/updates)?$/;

const trim = (u: string) => u.replace(/\/+$/, '');
const isHttp = (u: string) => /^https?:\/\//.test(u);

/** Reads the host's apt sources (missing files are fine). */
export async function readAptSources(options: DiscoverOptions = {}): Promise<AptSource[]> {
  const rf = options.readFile ?? ((p: string) => readFile(p, 'utf8'));
  const rd = options.readdir ?? ((p: string) => readdir(p));
  const list = options.sourcesList ?? '/etc/apt/sources.list';
  const dir = options.sourcesDir ?? '/etc/apt/sources.list.d';
  const out: AptSource[] = [];
  const tryRead = async (p: string) => rf(p).catch(() => undefined);
  const main = await tryRead(list);
  if (main !== undefined) out.push(...parseOneLineSources(main, list));
  // apt reads the directory in name order and only these two extensions.
  const names = ((await rd(dir).catch(() => [])) as string[])
    .filter((n) => /\.(list|sources)$/.test(n))
    .sort();
  for (const n of names) {
    const p = join(dir, n);
    const text = await tryRead(p);
    if (text === undefined) continue;
    out.push(...(n.endsWith('.sources') ? parseDeb822Sources(text, p) : parseOneLineSources(text, p)));
  }
  return out;
}

/** Picks the main and security archives out of apt sources. */
export function mirrorsFromApt(sources: readonly AptSource[]): {
  main?: { url: string; file: string };
  security?: { url: string; file: string };
} {
  let main: { url: string; file: string } | undefined;
  let security: { url: string; file: string } | undefined;
  for (const s of sources) {
    if (!s.types.includes('deb')) continue;
    const uri = s.uris.find(isHttp);
    if (!uri) continue;
    for (const suite of s.suites) {
      const m = DEBIAN_SUITES.exec(suite);
      if (!m) continue;
      if (m[2] === '-security' || m[2] === '/updates') security ??= { url: trim(uri), file: s.file };
      else main ??= { url: trim(uri), file: s.file };
    }
  }
  return { ...(main ? { main } : {}), ...(security ? { security } : {}) };
}

/** Discovers the main and security mirrors, in DESIGN.md's order of precedence. */
export async function discoverMirrors(options: DiscoverOptions = {}): Promise<Mirrors> {
  const env = options.env ?? {};
  let main: [string, string] | undefined;
  let security: [string, string] | undefined;
  if (options.flag) main = [options.flag, 'flag'];
  else if (env.DISTILL_DEBIAN_MIRROR) main = [env.DISTILL_DEBIAN_MIRROR, 'env'];
  else if (options.config?.mirror) main = [options.config.mirror, 'config'];
  if (options.securityFlag) security = [options.securityFlag, 'flag'];
  else if (env.DISTILL_DEBIAN_SECURITY_MIRROR) security = [env.DISTILL_DEBIAN_SECURITY_MIRROR, 'env'];
  else if (options.config?.securityMirror) security = [options.config.securityMirror, 'config'];
  if (!main || !security) {
    const apt = mirrorsFromApt(await readAptSources(options));
    if (!main && apt.main) main = [apt.main.url, `apt:${apt.main.file}`];
    if (!security && apt.security) security = [apt.security.url, `apt:${apt.security.file}`];
  }
  if (!main)
    throw new DebianError(
      'DEBIAN_MIRROR_UNSET',
      'no Debian mirror: pass --mirror URL, set DISTILL_DEBIAN_MIRROR (and DISTILL_DEBIAN_SECURITY_MIRROR), set mirror in the config, or add a Debian archive to /etc/apt/sources.list(.d)',
    );
  // Debian mirrors conventionally serve the security archive beside the main one.
  if (!security && /\/debian\/*$/.test(main[0])) security = [`${trim(main[0])}-security`, 'derived'];
  if (!security)
    throw new DebianError(
      'DEBIAN_MIRROR_UNSET',
      `no Debian security mirror for ${main[0]}: pass --security-mirror URL or set DISTILL_DEBIAN_SECURITY_MIRROR`,
    );
  for (const [u, from] of [main, security])
    if (!isHttp(u))
      throw new DebianError(
        'DEBIAN_MIRROR_UNSET',
        `mirror ${JSON.stringify(u)} (from ${from}) is not an http(s) URL`,
      );
  return { main: trim(main[0]), security: trim(security[0]), from: { main: main[1], security: security[1] } };
}

const CODENAMES: Record<DebianRelease, string> = { 12: 'bookworm', 13: 'trixie' };

/** Parses `13`, `12`, `debian13`, `trixie`, `bookworm` into a release number. */
export function parseDebianRelease(value: string | number): DebianRelease {
  const v = String(value)
    .trim()
    .toLowerCase()
    .replace(/^debian/, '');
  if (v === '13' || v === 'trixie') return 13;
  if (v === '12' || v === 'bookworm') return 12;
  throw new DebianError(
    'DEBIAN_RELEASE_UNKNOWN',
    `unknown Debian release ${JSON.stringify(value)}: use 13 (trixie) or 12 (bookworm)`,
  );
}

/** debian13 = trixie + trixie-updates + trixie-security; debian12 likewise for bookworm. */
export function releaseSpec(
  debian: DebianRelease,
  mirrors: Pick<Mirrors, 'main' | 'security'>,
  components: readonly string[] = ['main'],
): ReleaseSpec {
  const codename = CODENAMES[debian];
  const main: ArchiveSource = { mirror: mirrors.main, suites: [codename, `${codename}-updates`], components };
  const security: ArchiveSource = { mirror: mirrors.security, suites: [`${codename}-security`], components };
  return {
    debian,
    codename,
    suites: [codename, `${codename}-updates`, `${codename}-security`],
    sources: [main, security],
  };
}
