/**
 * Builds real .deb files for tests (ar + control.tar.* + data.tar.*), including deliberately bad
 * ones: entry names are written verbatim, so `../x`, `/abs` or a file below a symlink can be made.
 * `dpkg-deb --info/--contents` accepts what it builds (checked in deb-reader.test.ts). Used by the
 * package-side tests and by the fixture archive of the archive-side tests.
 */
import { spawnSync } from 'node:child_process';
import { gzipSync } from 'node:zlib';
import { pack } from 'tar-stream';

export interface FixtureFile {
  /** Written verbatim as the tar name (use `./usr/bin/x` like dpkg-deb does). */
  name: string;
  type?: 'file' | 'directory' | 'symlink' | 'link';
  content?: string | Buffer;
  mode?: number;
  /** Symlink target, or hardlink target name. */
  linkname?: string;
  uid?: number;
  gid?: number;
  mtime?: number;
}

export interface FixtureDeb {
  package: string;
  version?: string;
  architecture?: string;
  /** Extra control fields, e.g. { Depends: 'libc6 (>= 2.36)' }. */
  fields?: Record<string, string>;
  /** The control file verbatim (overrides package/version/architecture/fields). */
  control?: string;
  md5sums?: string;
  files?: FixtureFile[];
  /** 'xz' (default), 'zstd', 'gzip', 'none', or any other suffix to make an unreadable member name. */
  dataCompression?: string;
  controlCompression?: string;
}

/** The control file text the fixture uses for these options. */
export function fixtureControl(d: FixtureDeb): string {
  if (d.control !== undefined) return d.control;
  const lines = [
    `Package: ${d.package}`,
    `Version: ${d.version ?? '1.0-1'}`,
    `Architecture: ${d.architecture ?? 'amd64'}`,
    'Maintainer: distill tests <tests@invalid>',
    ...Object.entries(d.fields ?? {}).map(([k, v]) => `${k}: ${v}`),
    `Description: test package ${d.package}`,
    ' made by deb-reader-fixture.ts',
  ];
  return `${lines.join('\n')}\n`;
}

/** A tar (uncompressed) of the given entries, names verbatim. */
export async function makeTar(files: readonly FixtureFile[]): Promise<Buffer> {
  const p = pack();
  const chunks: Buffer[] = [];
  p.on('data', (b: unknown) => {
    chunks.push(b as Buffer);
  });
  const done = new Promise<void>((resolve, reject) => {
    p.on('end', resolve);
    p.on('error', reject);
  });
  for (const f of files) {
    const type = f.type ?? 'file';
    const header = {
      name: f.name,
      type,
      mode: f.mode ?? (type === 'directory' ? 0o755 : 0o644),
      uid: f.uid ?? 0,
      gid: f.gid ?? 0,
      uname: 'root',
      gname: 'root',
      mtime: new Date((f.mtime ?? 1700000000) * 1000),
      ...(f.linkname !== undefined ? { linkname: f.linkname } : {}),
    };
    const body =
      type === 'file'
        ? typeof f.content === 'string'
          ? Buffer.from(f.content)
          : (f.content ?? Buffer.alloc(0))
        : undefined;
    await new Promise<void>((resolve, reject) =>
      body === undefined
        ? p.entry(header, (err) => (err ? reject(err) : resolve()))
        : p.entry(header, body, (err) => (err ? reject(err) : resolve())),
    );
  }
  p.finalize();
  await done;
  return Buffer.concat(chunks);
}

/** Compresses with the named tool; unknown names return the data unchanged. */
export function compress(data: Buffer, how: string): Buffer {
  if (how === 'gzip') return gzipSync(data);
  if (how === 'xz' || how === 'zstd') {
    const r = spawnSync(how, how === 'xz' ? ['-c', '-6'] : ['-c', '-q', '-3'], {
      input: data,
      maxBuffer: 1 << 30,
    });
    if (r.status !== 0) throw new Error(`${how} failed: ${r.stderr}`);
    return r.stdout;
  }
  return data;
}

const SUFFIX: Record<string, string> = { xz: '.xz', zstd: '.zst', gzip: '.gz', none: '' };

/** An ar archive of the given members (dpkg's format: space-padded names, mode 100644, even padding). */
export function makeAr(members: ReadonlyArray<{ name: string; data: Buffer }>): Buffer {
  const parts: Buffer[] = [Buffer.from('!<arch>\n')];
  for (const m of members) {
    const h =
      m.name.padEnd(16) +
      '0'.padEnd(12) +
      '0'.padEnd(6) +
      '0'.padEnd(6) +
      '100644'.padEnd(8) +
      String(m.data.length).padEnd(10) +
      '`\n';
    parts.push(Buffer.from(h, 'latin1'), m.data);
    if (m.data.length % 2) parts.push(Buffer.from('\n'));
  }
  return Buffer.concat(parts);
}

/** Builds a complete .deb. */
export async function makeDeb(d: FixtureDeb): Promise<Buffer> {
  const ctlFiles: FixtureFile[] = [
    { name: './', type: 'directory' },
    { name: './control', content: fixtureControl(d) },
  ];
  if (d.md5sums !== undefined) ctlFiles.push({ name: './md5sums', content: d.md5sums });
  const cc = d.controlCompression ?? 'xz';
  const dc = d.dataCompression ?? 'xz';
  const control = compress(await makeTar(ctlFiles), cc);
  const data = compress(await makeTar(d.files ?? [{ name: './', type: 'directory' }]), dc);
  return makeAr([
    { name: 'debian-binary', data: Buffer.from('2.0\n') },
    { name: `control.tar${SUFFIX[cc] ?? `.${cc}`}`, data: control },
    { name: `data.tar${SUFFIX[dc] ?? `.${dc}`}`, data },
  ]);
}
