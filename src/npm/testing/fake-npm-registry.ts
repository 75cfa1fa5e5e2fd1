/**
 * A working fake npm registry for tests, in-process on 127.0.0.1: abbreviated packuments and
 * tarballs built with the system `tar` (GNU tar, as real publishers' tooling produces ustar/gzip),
 * laid out like a node-linux-* package. Knobs make it misbehave the ways registries do.
 */

import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export interface FakeElfOptions {
  /** DT_NEEDED entries (default libc.so.6 and libstdc++.so.6). */
  needed?: string[];
  interpreter?: string;
  /** Filler bytes after the headers, standing in for code. */
  extra?: number;
}

/**
 * A small but real dynamic ELF64 little-endian executable image (for the ELF reader, not to run):
 * one PT_LOAD over the whole file, PT_INTERP, and PT_DYNAMIC with DT_NEEDED, DT_STRTAB, DT_STRSZ.
 */
export function fakeElf(machine: number, opts: FakeElfOptions = {}): Buffer {
  const needed = opts.needed ?? ['libstdc++.so.6', 'libc.so.6'];
  const interp = Buffer.from(`${opts.interpreter ?? '/lib64/ld-linux-x86-64.so.2'}\0`);
  const strs = [Buffer.alloc(1)];
  const offsets: number[] = [];
  let at = 1;
  for (const n of needed) {
    offsets.push(at);
    const b = Buffer.from(`${n}\0`);
    strs.push(b);
    at += b.length;
  }
  const dynstr = Buffer.concat(strs);
  const phOff = 64;
  const interpOff = phOff + 3 * 56;
  const strOff = interpOff + interp.length;
  const dynOff = Math.ceil((strOff + dynstr.length) / 8) * 8;
  const tags: [number, number][] = [
    ...offsets.map((o): [number, number] => [1, o]),
    [5, strOff],
    [10, dynstr.length],
    [0, 0],
  ];
  const dynLen = tags.length * 16;
  const total = dynOff + dynLen + (opts.extra ?? 1000);
  const b = Buffer.alloc(total, 0);
  b.writeUInt32BE(0x7f454c46, 0);
  b[4] = 2; // ELFCLASS64
  b[5] = 1; // little-endian
  b[6] = 1; // EV_CURRENT
  b.writeUInt16LE(2, 16); // ET_EXEC
  b.writeUInt16LE(machine, 18);
  b.writeUInt32LE(1, 20);
  b.writeBigUInt64LE(BigInt(phOff), 32);
  b.writeUInt16LE(64, 52); // e_ehsize
  b.writeUInt16LE(56, 54); // e_phentsize
  b.writeUInt16LE(3, 56); // e_phnum
  b.writeUInt16LE(64, 58); // e_shentsize
  const phdr = (i: number, type: number, off: number, size: number) => {
    const o = phOff + i * 56;
    b.writeUInt32LE(type, o);
    b.writeUInt32LE(4, o + 4);
    b.writeBigUInt64LE(BigInt(off), o + 8);
    b.writeBigUInt64LE(BigInt(off), o + 16);
    b.writeBigUInt64LE(BigInt(off), o + 24);
    b.writeBigUInt64LE(BigInt(size), o + 32);
    b.writeBigUInt64LE(BigInt(size), o + 40);
    b.writeBigUInt64LE(8n, o + 48);
  };
  phdr(0, 1, 0, total); // PT_LOAD: vaddr == file offset
  phdr(1, 3, interpOff, interp.length); // PT_INTERP
  phdr(2, 2, dynOff, dynLen); // PT_DYNAMIC
  interp.copy(b, interpOff);
  dynstr.copy(b, strOff);
  tags.forEach(([tag, val], i) => {
    b.writeBigInt64LE(BigInt(tag), dynOff + i * 16);
    b.writeBigUInt64LE(BigInt(val), dynOff + i * 16 + 8);
  });
  b.fill(0x5a, dynOff + dynLen);
  return b;
}

/** Files of a fixture package, relative to its top directory. */
export type PackageFiles = Record<string, Buffer | string>;

/** The files of a node-linux-* package: bin/node (fake ELF), LICENSE, package.json, headers. */
export function nodePackageFiles(name: string, version: string, machine = 62): PackageFiles {
  return {
    'package.json': JSON.stringify({ name, version, bin: { node: 'bin/node' } }),
    'bin/node': fakeElf(machine),
    LICENSE: `Node.js is licensed for use as follows: ${version}\n`,
    'include/node/node.h': '/* headers distill leaves out */\n',
    'share/man/man1/node.1': '.TH NODE 1\n',
    'README.md': '# node\n',
  };
}

/** A .tgz of `files` under `top/` (default `package/`), made by the system tar. */
export async function makeTarball(files: PackageFiles, top = 'package'): Promise<Buffer> {
  const dir = await mkdtemp(join(tmpdir(), 'distill-npm-fixture-'));
  try {
    for (const [rel, content] of Object.entries(files)) {
      const p = join(dir, top, rel);
      await mkdir(dirname(p), { recursive: true });
      await writeFile(p, content, { mode: rel.startsWith('bin/') ? 0o755 : 0o644 });
    }
    const out = join(dir, 'out.tgz');
    const r = spawnSync(
      'tar',
      ['-czf', out, '--sort=name', '--owner=0', '--group=0', '--mtime=@499162500', '-C', dir, top],
      { encoding: 'utf8' },
    );
    if (r.status !== 0) throw new Error(`tar failed: ${r.stderr || r.error}`);
    return await readFile(out);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export const sri = (data: Buffer, alg = 'sha512') =>
  `${alg}-${createHash(alg).update(data).digest('base64')}`;

export interface FakeVersion {
  version: string;
  tarball: Buffer;
  /** Published integrity (default: the tarball's true sha512). */
  integrity?: string;
}

export interface FakeRegistryOptions {
  /** Path prefix the registry lives under (e.g. `/npm/`), to check prefixes are kept. */
  prefix?: string;
  /** Bearer token every request must carry. */
  token?: string;
  /** Answer this many requests with 503 first. */
  failFirst?: number;
  /** Cut this many tarball responses off halfway (connection reset mid-body). */
  dropTarballs?: number;
}

export interface FakeRegistry {
  /** Registry URL with trailing `/`. */
  url: string;
  /** Each request: method, path, headers. */
  requests: { path: string; headers: IncomingHttpHeaders }[];
  publish(name: string, v: FakeVersion): void;
  /** Serve `body` instead of the real bytes for this tarball (tampering on the wire). */
  tamper(name: string, version: string, body: Buffer): void;
  close(): Promise<void>;
}

/** Starts a fake registry on 127.0.0.1 (an ephemeral port). */
export async function startFakeRegistry(opts: FakeRegistryOptions = {}): Promise<FakeRegistry> {
  const prefix = opts.prefix ?? '/';
  const pkgs = new Map<string, Map<string, FakeVersion>>();
  const tampered = new Map<string, Buffer>();
  const requests: FakeRegistry['requests'] = [];
  let failures = opts.failFirst ?? 0;
  let drops = opts.dropTarballs ?? 0;
  let base = '';
  const server: Server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    requests.push({ path, headers: req.headers });
    if (failures > 0) {
      failures--;
      res.writeHead(503).end('busy');
      return;
    }
    if (opts.token && req.headers.authorization !== `Bearer ${opts.token}`) {
      res.writeHead(401).end('{"error":"unauthorized"}');
      return;
    }
    if (!path.startsWith(prefix)) {
      res.writeHead(404).end();
      return;
    }
    const rest = path.slice(prefix.length);
    const tgz = /^(.+)\/-\/[^/]+-(\d[^/]*)\.tgz$/.exec(rest);
    if (tgz) {
      const v = pkgs.get(tgz[1] as string)?.get(tgz[2] as string);
      if (!v) {
        res.writeHead(404).end();
        return;
      }
      const body = tampered.get(`${tgz[1]}@${tgz[2]}`) ?? v.tarball;
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': body.length });
      if (drops > 0) {
        drops--;
        res.write(body.subarray(0, body.length >> 1), () => res.destroy());
        return;
      }
      res.end(body);
      return;
    }
    const versions = pkgs.get(rest);
    if (!versions) {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"Not found"}');
      return;
    }
    const abbreviated = (req.headers.accept ?? '').includes('application/vnd.npm.install-v1+json');
    const all = [...versions.values()];
    const body = {
      name: rest,
      'dist-tags': { latest: all.at(-1)?.version },
      ...(abbreviated ? { modified: '2026-01-01T00:00:00.000Z' } : { description: 'full packument' }),
      versions: Object.fromEntries(
        all.map((v) => [
          v.version,
          {
            name: rest,
            version: v.version,
            dist: {
              tarball: `${base}${rest}/-/${rest}-${v.version}.tgz`,
              integrity: v.integrity ?? sri(v.tarball),
              shasum: createHash('sha1').update(v.tarball).digest('hex'),
            },
          },
        ]),
      ),
    };
    // As the public registry answers: fresh for 5 minutes, then revalidated by ETag.
    const text = JSON.stringify(body);
    const etag = `W/"${createHash('sha1').update(text).digest('hex')}"`;
    const caching = { 'cache-control': 'public, max-age=300', etag };
    if (req.headers['if-none-match'] === etag) {
      res.writeHead(304, caching).end();
      return;
    }
    res.writeHead(200, {
      'content-type': abbreviated ? 'application/vnd.npm.install-v1+json' : 'application/json',
      ...caching,
    });
    res.end(text);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}${prefix}`;
  return {
    url: base,
    requests,
    publish(name, v) {
      const m = pkgs.get(name) ?? new Map<string, FakeVersion>();
      m.set(v.version, v);
      pkgs.set(name, m);
    },
    tamper(name, version, body) {
      tampered.set(`${name}@${version}`, body);
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
