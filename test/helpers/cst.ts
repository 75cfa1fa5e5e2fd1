/**
 * A runner for container-structure-test configs (GoogleContainerTools/container-structure-test,
 * schema 1.0.0 and 2.0.0) against the Docker engine, for distroless's own testdata
 * (test/fixtures/distroless-cst). The Go binary cannot be fetched here; this follows its docker
 * driver's semantics:
 * - commandTests: each command runs in a fresh container of the image with its entrypoint
 *   replaced by the command (schema 2: `command` + `args`; schema 1: `command` as an argv list),
 *   as the image's user, `envVars` added; `expectedOutput`/`excludedOutput` are regexes (RE2,
 *   unanchored unless the pattern anchors) searched in stdout, `expectedError`/`excludedError`
 *   in stderr; `exitCode` defaults to 0. `setup`/`teardown` are refused (distroless uses none).
 * - fileExistenceTests / fileContentTests: read from the container's filesystem (`docker create` +
 *   `docker export`), symlinks in parent directories followed inside the image as `docker cp`
 *   does; the path itself is not followed for existence (a symlink is `L...`), and followed for
 *   contents. `permissions` is Go's os.FileMode string (`-rw-r--r--`, `Lrwxrwxrwx`,
 *   `dtrwxrwxrwx`); `uid`/`gid`; `isExecutableBy` owner|group|other|any.
 * - metadataTest: from `docker image inspect`: envVars (value, isRegex), unboundEnvVars,
 *   entrypoint, cmd, workdir, user, exposedPorts, unexposedPorts, volumes, labels (isRegex).
 */
import { spawn, spawnSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { extract } from 'tar-stream';
import { parse } from 'yaml';
import { entryType } from './layout-tree.ts';

export interface CommandTest {
  name: string;
  command: string | string[];
  args?: string[];
  envVars?: { key: string; value: string }[];
  expectedOutput?: string[];
  excludedOutput?: string[];
  expectedError?: string[];
  excludedError?: string[];
  exitCode?: number;
  setup?: unknown;
  teardown?: unknown;
}
export interface FileExistenceTest {
  name: string;
  path: string;
  shouldExist: boolean;
  permissions?: string;
  uid?: number;
  gid?: number;
  isExecutableBy?: 'owner' | 'group' | 'other' | 'any';
}
export interface FileContentTest {
  name: string;
  path: string;
  expectedContents?: string[];
  excludedContents?: string[];
}
interface KeyValue {
  key: string;
  value: string;
  isRegex?: boolean;
}
export interface MetadataTest {
  envVars?: KeyValue[];
  unboundEnvVars?: { key: string }[];
  labels?: KeyValue[];
  entrypoint?: string[];
  cmd?: string[];
  workdir?: string;
  user?: string;
  exposedPorts?: string[];
  unexposedPorts?: string[];
  volumes?: string[];
}
export interface CstConfig {
  schemaVersion: string;
  commandTests?: CommandTest[];
  fileExistenceTests?: FileExistenceTest[];
  fileContentTests?: FileContentTest[];
  metadataTest?: MetadataTest;
}

/** One test's outcome: failures empty when it passed. */
export interface CstResult {
  kind: 'command' | 'fileExistence' | 'fileContent' | 'metadata';
  name: string;
  failures: string[];
}

const KNOWN = new Set([
  'schemaVersion',
  'commandTests',
  'fileExistenceTests',
  'fileContentTests',
  'metadataTest',
]);

/** Reads and checks a config file: schema 1.0.0 or 2.0.0, no sections this runner does not implement. */
export async function loadCst(path: string): Promise<CstConfig> {
  const c = parse(await readFile(path, 'utf8')) as CstConfig;
  if (!['1.0.0', '2.0.0'].includes(c.schemaVersion))
    throw new Error(`${path}: schemaVersion ${c.schemaVersion} is not 1.0.0 or 2.0.0`);
  for (const k of Object.keys(c))
    if (!KNOWN.has(k)) throw new Error(`${path}: section ${k} is not implemented`);
  return c;
}

/**
 * Go's regexp (RE2) syntax as a JavaScript RegExp: the same for the patterns distroless uses
 * (classes, anchors, escapes); `\z` (end of text) becomes `$`, and (?s)/(?m)/(?i) prefixes flags.
 */
export function goRegExp(pattern: string): RegExp {
  let flags = '';
  let p = pattern;
  const m = /^\(\?([ims]+)\)/.exec(p);
  if (m) {
    flags = m[1] as string;
    p = p.slice(m[0].length);
  }
  return new RegExp(p.replace(/\\z/g, '$'), flags);
}

/** The tree of a container filesystem, by absolute path. */
export interface FsNode {
  type: 'file' | 'dir' | 'symlink' | 'link' | 'other';
  mode: number;
  uid: number;
  gid: number;
  linkname?: string;
  body?: Buffer;
}

/** `docker create` + `docker export` of `image`: every entry, with file contents. */
export async function exportFs(image: string): Promise<Map<string, FsNode>> {
  // An image with no entrypoint and no cmd (static) cannot be created without one; it never runs.
  const created = spawnSync('docker', ['create', '--entrypoint', '/nonexistent', image], {
    encoding: 'utf8',
  });
  if (created.status !== 0) throw new Error(`docker create ${image}: ${created.stderr}`);
  const id = created.stdout.trim();
  try {
    const child = spawn('docker', ['export', id], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const exited = new Promise<number | null>((res) => child.on('close', (code) => res(code)));
    const fs = new Map<string, FsNode>([['/', { type: 'dir', mode: 0o755, uid: 0, gid: 0 }]]);
    const x = extract();
    x.on('entry', (h, stream, next) => {
      const chunks: Buffer[] = [];
      stream.on('data', (c: unknown) => chunks.push(c as Buffer));
      stream.on('end', () => {
        const path = `/${h.name.replace(/^\.?\/+/, '').replace(/\/+$/, '')}`;
        const type = entryType(h.type);
        fs.set(path, {
          type,
          mode: h.mode ?? 0,
          uid: h.uid ?? 0,
          gid: h.gid ?? 0,
          ...(h.linkname ? { linkname: h.linkname } : {}),
          ...(type === 'file' ? { body: Buffer.concat(chunks) } : {}),
        });
        next();
      });
    });
    await pipeline(child.stdout, x);
    const code = await exited;
    if (code !== 0) throw new Error(`docker export ${image} exited ${code}: ${stderr}`);
    return fs;
  } finally {
    spawnSync('docker', ['rm', '-f', id]);
  }
}

/** Resolves `path` inside the tree: symlinks in parents always, the last component when `followLast`. */
export function resolvePath(fs: Map<string, FsNode>, path: string, followLast: boolean): string | undefined {
  let parts = path.split('/').filter(Boolean);
  let cur = '';
  for (let hops = 0, i = 0; i < parts.length; i++) {
    const part = parts[i] as string;
    if (part === '.') continue;
    if (part === '..') {
      cur = cur.slice(0, cur.lastIndexOf('/'));
      continue;
    }
    const next = `${cur}/${part}`;
    const node = fs.get(next);
    if (!node) return undefined;
    const last = i === parts.length - 1;
    if ((node.type === 'symlink' || node.type === 'link') && (!last || followLast)) {
      if (++hops > 40) return undefined;
      const target = node.linkname as string;
      const rest = parts.slice(i + 1);
      // A hard link's name is absolute in the image; a symlink's is relative to its directory.
      parts = [
        ...(target.startsWith('/') || node.type === 'link' ? [] : cur.split('/').filter(Boolean)),
        ...target.split('/').filter(Boolean),
        ...rest,
      ];
      cur = '';
      i = -1;
      continue;
    }
    cur = next;
  }
  return cur || '/';
}

/** Go's os.FileMode.String() of a tar entry. */
export function goModeString(n: FsNode): string {
  let s = '';
  if (n.type === 'dir') s += 'd';
  if (n.type === 'symlink') s += 'L';
  if (n.mode & 0o4000) s += 'u';
  if (n.mode & 0o2000) s += 'g';
  if (n.mode & 0o1000) s += 't';
  if (s === '') s = '-';
  const rwx = 'rwxrwxrwx';
  for (let i = 0; i < 9; i++) s += n.mode & (1 << (8 - i)) ? rwx[i] : '-';
  return s;
}

interface Inspect {
  Config: {
    Env?: string[] | null;
    Entrypoint?: string[] | null;
    Cmd?: string[] | null;
    WorkingDir?: string;
    User?: string;
    ExposedPorts?: Record<string, unknown> | null;
    Volumes?: Record<string, unknown> | null;
    Labels?: Record<string, string> | null;
  };
}

function runCommand(image: string, t: CommandTest): string[] {
  if (t.setup || t.teardown) return ['setup/teardown are not implemented by this runner'];
  const argv = Array.isArray(t.command) ? [...t.command, ...(t.args ?? [])] : [t.command, ...(t.args ?? [])];
  const env = (t.envVars ?? []).flatMap((e) => ['-e', `${e.key}=${e.value}`]);
  const r = spawnSync(
    'docker',
    ['run', '--rm', '--network', 'host', ...env, '--entrypoint', argv[0] as string, image, ...argv.slice(1)],
    { encoding: 'utf8', timeout: 600_000, maxBuffer: 1 << 28 },
  );
  const out = r.stdout ?? '';
  const err = r.stderr ?? '';
  const failures: string[] = [];
  const want = t.exitCode ?? 0;
  if (r.status !== want) failures.push(`exit code ${r.status}, want ${want}`);
  for (const p of t.expectedOutput ?? []) if (!goRegExp(p).test(out)) failures.push(`stdout lacks /${p}/`);
  for (const p of t.excludedOutput ?? []) if (goRegExp(p).test(out)) failures.push(`stdout has /${p}/`);
  for (const p of t.expectedError ?? []) if (!goRegExp(p).test(err)) failures.push(`stderr lacks /${p}/`);
  for (const p of t.excludedError ?? []) if (goRegExp(p).test(err)) failures.push(`stderr has /${p}/`);
  if (failures.length) failures.push(`stdout: ${out.slice(-2000)}`, `stderr: ${err.slice(-2000)}`);
  return failures;
}

function fileExistence(fs: Map<string, FsNode>, t: FileExistenceTest): string[] {
  const at = resolvePath(fs, t.path, false);
  const node = at ? fs.get(at) : undefined;
  if (!t.shouldExist) return node ? [`${t.path} exists`] : [];
  if (!node) return [`${t.path} does not exist`];
  const f: string[] = [];
  if (t.permissions !== undefined && goModeString(node) !== t.permissions)
    f.push(`${t.path} permissions ${goModeString(node)}, want ${t.permissions}`);
  if (t.uid !== undefined && node.uid !== t.uid) f.push(`${t.path} uid ${node.uid}, want ${t.uid}`);
  if (t.gid !== undefined && node.gid !== t.gid) f.push(`${t.path} gid ${node.gid}, want ${t.gid}`);
  if (t.isExecutableBy) {
    const bits = { owner: 0o100, group: 0o010, other: 0o001, any: 0o111 }[t.isExecutableBy];
    if (!(node.mode & bits))
      f.push(`${t.path} (mode ${node.mode.toString(8)}) is not executable by ${t.isExecutableBy}`);
  }
  return f;
}

function fileContent(fs: Map<string, FsNode>, t: FileContentTest): string[] {
  const at = resolvePath(fs, t.path, true);
  const node = at ? fs.get(at) : undefined;
  if (node?.type !== 'file' || !node.body) return [`${t.path} is not a readable file`];
  const text = node.body.toString('utf8');
  const f: string[] = [];
  for (const p of t.expectedContents ?? []) if (!goRegExp(p).test(text)) f.push(`${t.path} lacks /${p}/`);
  for (const p of t.excludedContents ?? []) if (goRegExp(p).test(text)) f.push(`${t.path} has /${p}/`);
  return f;
}

function metadata(image: string, m: MetadataTest): string[] {
  const r = spawnSync('docker', ['image', 'inspect', image], { encoding: 'utf8' });
  if (r.status !== 0) return [`docker image inspect ${image}: ${r.stderr}`];
  const c = (JSON.parse(r.stdout) as Inspect[])[0]?.Config ?? {};
  const env = new Map((c.Env ?? []).map((e) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)]));
  const f: string[] = [];
  const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
  for (const e of m.envVars ?? []) {
    const v = env.get(e.key);
    if (v === undefined) f.push(`env ${e.key} is not set`);
    else if (e.isRegex ? !goRegExp(e.value).test(v) : v !== e.value)
      f.push(`env ${e.key}=${v}, want ${e.value}`);
  }
  for (const e of m.unboundEnvVars ?? []) if (env.has(e.key)) f.push(`env ${e.key} is set`);
  for (const l of m.labels ?? []) {
    const v = c.Labels?.[l.key];
    if (v === undefined) f.push(`label ${l.key} is not set`);
    else if (l.isRegex ? !goRegExp(l.value).test(v) : v !== l.value)
      f.push(`label ${l.key}=${v}, want ${l.value}`);
  }
  if (m.entrypoint && !same(c.Entrypoint ?? [], m.entrypoint))
    f.push(`entrypoint ${JSON.stringify(c.Entrypoint)}`);
  if (m.cmd && !same(c.Cmd ?? [], m.cmd)) f.push(`cmd ${JSON.stringify(c.Cmd)}`);
  if (m.workdir !== undefined && (c.WorkingDir ?? '') !== m.workdir) f.push(`workdir ${c.WorkingDir}`);
  if (m.user !== undefined && (c.User ?? '') !== m.user) f.push(`user ${c.User}`);
  const ports = Object.keys(c.ExposedPorts ?? {});
  const port = (p: string) => (p.includes('/') ? p : `${p}/tcp`);
  for (const p of m.exposedPorts ?? []) if (!ports.includes(port(p))) f.push(`port ${p} is not exposed`);
  for (const p of m.unexposedPorts ?? []) if (ports.includes(port(p))) f.push(`port ${p} is exposed`);
  for (const v of m.volumes ?? []) if (!(v in (c.Volumes ?? {}))) f.push(`volume ${v} is not declared`);
  return f;
}

/** Runs every test of `config` against the Docker image `image` (a tag the engine has). */
export async function runCst(image: string, config: CstConfig): Promise<CstResult[]> {
  const out: CstResult[] = [];
  for (const t of config.commandTests ?? [])
    out.push({ kind: 'command', name: t.name, failures: runCommand(image, t) });
  const needFs = (config.fileExistenceTests?.length ?? 0) + (config.fileContentTests?.length ?? 0) > 0;
  const fs = needFs ? await exportFs(image) : new Map<string, FsNode>();
  for (const t of config.fileExistenceTests ?? [])
    out.push({ kind: 'fileExistence', name: t.name, failures: fileExistence(fs, t) });
  for (const t of config.fileContentTests ?? [])
    out.push({ kind: 'fileContent', name: t.name, failures: fileContent(fs, t) });
  if (config.metadataTest)
    out.push({ kind: 'metadata', name: 'metadata', failures: metadata(image, config.metadataTest) });
  return out;
}
