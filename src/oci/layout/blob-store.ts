/**
 * Blobs of an OCI image layout (`blobs/sha256/<hex>`): JSON documents are read whole and checked
 * against their digest; layers are opened as streams that fail at their end if the content does
 * not match. A digest is checked with isDigest before it becomes a path, so no `..` gets in.
 */
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { type Digest, digestHex, isDigest, sha256, VerifyingStream } from '../digest.ts';
import { OciError } from '../errors.ts';
import type { Descriptor } from '../types.ts';

/** The path of a blob in a layout; only sha256 is supported. */
export function blobPath(dir: string, digest: Digest): string {
  if (!isDigest(digest)) {
    throw new OciError('OCI_DIGEST_INVALID', `not a sha256 digest: ${JSON.stringify(digest)}`);
  }
  return join(dir, 'blobs', 'sha256', digestHex(digest));
}

/** Reads a whole (small) blob and checks its digest and size: a corrupted document never gets parsed. */
export async function readVerifiedBlob(dir: string, d: Descriptor, what: string): Promise<Buffer> {
  const path = blobPath(dir, d.digest);
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (err) {
    throw missing(err, d, what);
  }
  const got = sha256(bytes);
  if (got !== d.digest) {
    throw new OciError(
      'OCI_DIGEST_MISMATCH',
      `${what} ${path}: content is ${got} (${bytes.length} bytes), expected ${d.digest}`,
    );
  }
  if (bytes.length !== d.size) {
    throw new OciError(
      'OCI_SIZE_MISMATCH',
      `${what} ${path}: ${bytes.length} bytes, descriptor says ${d.size}`,
    );
  }
  return bytes;
}

/** Checks that a layer blob exists (so a missing one is reported when the image is read, not later). */
export async function checkBlobExists(dir: string, d: Descriptor, what: string): Promise<string> {
  const path = blobPath(dir, d.digest);
  try {
    const s = await stat(path);
    if (!s.isFile()) throw new Error('not a regular file');
  } catch (err) {
    throw missing(err, d, what);
  }
  return path;
}

/** Opens a blob as a stream that errors with OCI_DIGEST_MISMATCH / OCI_SIZE_MISMATCH at its end. */
export function openVerified(path: string, d: Descriptor, what: string): Readable {
  const src = createReadStream(path);
  const check = new VerifyingStream(d.digest, d.size, `${what} ${path}`);
  src.on('error', (err) => check.destroy(missing(err, d, what)));
  return src.pipe(check);
}

function missing(err: unknown, d: Descriptor, what: string): OciError {
  if (err instanceof OciError) return err;
  return new OciError('OCI_BLOB_MISSING', `${what} ${d.digest} is missing from the layout`, { cause: err });
}

/** Parses JSON, turning a syntax error into OCI_JSON_INVALID naming the document. */
export function parseJson(bytes: Buffer, what: string): unknown {
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch (err) {
    throw new OciError('OCI_JSON_INVALID', `${what} is not JSON: ${(err as Error).message}`, { cause: err });
  }
}
