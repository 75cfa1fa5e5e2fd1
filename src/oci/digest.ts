import { createHash, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { OciError } from './errors.ts';

/** A content digest, `sha256:<64 hex>`. */
export type Digest = `sha256:${string}`;

const DIGEST_RE = /^sha256:[a-f0-9]{64}$/;

export function isDigest(s: unknown): s is Digest {
  return typeof s === 'string' && DIGEST_RE.test(s);
}

/** Checks a digest string, throwing OCI_DIGEST_INVALID for anything else (only sha256 is supported). */
export function parseDigest(s: string): Digest {
  if (!isDigest(s)) throw new OciError('OCI_DIGEST_INVALID', `not a sha256 digest: ${JSON.stringify(s)}`);
  return s;
}

/** The hex part of a digest, as used in blob paths. */
export function digestHex(d: Digest): string {
  return d.slice('sha256:'.length);
}

export function sha256(data: Uint8Array | string): Digest {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

/** A pass-through stream that hashes and counts what flows through it. */
export class DigestStream extends Transform {
  private readonly hash: Hash = createHash('sha256');
  bytes = 0;
  private result?: Digest;

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.hash.update(chunk);
    this.bytes += chunk.length;
    cb(null, chunk);
  }

  override _flush(cb: TransformCallback): void {
    this.result = `sha256:${this.hash.digest('hex')}`;
    cb();
  }

  /** The digest, available once the stream has ended. */
  get digest(): Digest {
    if (!this.result) throw new Error('DigestStream: digest read before the stream ended');
    return this.result;
  }
}

/** A pass-through stream that fails with OCI_DIGEST_MISMATCH (or OCI_SIZE_MISMATCH) at its end. */
export class VerifyingStream extends Transform {
  private readonly hash: Hash = createHash('sha256');
  private bytes = 0;
  constructor(
    private readonly expected: Digest,
    private readonly expectedSize: number | undefined,
    private readonly what: string,
  ) {
    super();
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.hash.update(chunk);
    this.bytes += chunk.length;
    if (this.expectedSize !== undefined && this.bytes > this.expectedSize) {
      cb(
        new OciError('OCI_SIZE_MISMATCH', `${this.what}: more than the ${this.expectedSize} bytes expected`),
      );
      return;
    }
    cb(null, chunk);
  }

  override _flush(cb: TransformCallback): void {
    const got = `sha256:${this.hash.digest('hex')}`;
    if (this.expectedSize !== undefined && this.bytes !== this.expectedSize) {
      cb(
        new OciError(
          'OCI_SIZE_MISMATCH',
          `${this.what}: ${this.bytes} bytes where ${this.expectedSize} were expected`,
        ),
      );
    } else if (got !== this.expected) {
      cb(new OciError('OCI_DIGEST_MISMATCH', `${this.what}: content is ${got}, expected ${this.expected}`));
    } else cb();
  }
}
