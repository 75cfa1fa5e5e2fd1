/**
 * The Node.js runtime when it is not a distro package (distill's and distroless's /nodejs, the
 * official images' /usr/local/bin/node): identified as syft's binary classifier does, by the
 * `node.js/vX.Y.Z` string inside the executable, and named so scanners match it —
 * `pkg:generic/node@X.Y.Z` with CPE `cpe:2.3:a:nodejs:node.js:X.Y.Z:*:*:*:*:*:*:*`.
 * The binary is ~120 MB: the scan keeps only the matched string (see `nodeVersionReducer`),
 * never the file.
 */
import type { Readable } from 'node:stream';
import type { PackageRecord } from '../types.ts';
import { type CatalogueContext, keptPaths } from './context.ts';
import { purl } from './purl.ts';

const NODE_BIN = /\/bin\/node$/;
const MARK = Buffer.from('node.js/v', 'latin1');
const VERSION = /node\.js\/v(\d+\.\d+\.\d+)/;

/** A file that may be a Node.js executable (small files are scripts or shims). */
export const isNodeBinary = (path: string, size: number): boolean =>
  NODE_BIN.test(path) && size > 1024 * 1024;

/**
 * Reads the whole stream (the scanner needs it drained) and returns just `node.js/vX.Y.Z`,
 * or an empty buffer when the file holds no such string.
 */
export async function nodeVersionReducer(body: Readable): Promise<Buffer> {
  let found: string | undefined;
  let tail = Buffer.alloc(0);
  for await (const chunk of body) {
    if (found) continue;
    const buf = tail.length ? Buffer.concat([tail, chunk as Buffer]) : (chunk as Buffer);
    const at = buf.indexOf(MARK);
    if (at >= 0 && buf.length - at >= MARK.length + 16) {
      found = VERSION.exec(buf.toString('latin1', at, at + MARK.length + 16))?.[1];
      if (found) continue;
    }
    // Keep enough to see a mark (and its version) that straddles two chunks.
    tail = Buffer.from(buf.subarray(Math.max(0, buf.length - (MARK.length + 16))));
  }
  if (!found) found = VERSION.exec(tail.toString('latin1'))?.[1];
  return Buffer.from(found ? `node.js/v${found}` : '', 'latin1');
}

/** Node.js executables not owned by a distro package (`owned`: paths the deb/apk records list). */
export function nodeBinaries(ctx: CatalogueContext, owned: ReadonlySet<string>): PackageRecord[] {
  const out: PackageRecord[] = [];
  for (const path of keptPaths(ctx, NODE_BIN)) {
    if (owned.has(path)) continue;
    const version = VERSION.exec(ctx.files.contents.get(path)?.toString('latin1') ?? '')?.[1];
    if (!version) continue;
    out.push({
      ecosystem: 'generic',
      name: 'node',
      version,
      licenses: ['MIT'],
      purl: purl({ type: 'generic', name: 'node', version }),
      cpes: [`cpe:2.3:a:nodejs:node.js:${version}:*:*:*:*:*:*:*`],
      locations: [path],
    });
  }
  return out;
}
