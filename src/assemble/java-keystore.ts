/**
 * The Java trust store distroless puts at /etc/ssl/certs/java/cacerts, written the way
 * rules_distroless v0.8.0 JavaKeyStore.java writes it (itself OpenJDK's GenerateCacerts): a JKS
 * file — magic 0xFEEDFEED, version 2, entry count, then per certificate of the bundle, in bundle
 * order: tag 2 (trusted certificate), alias = the subject's canonical X.500 name, creation date
 * = the certificate's notBefore (ms), "X.509", DER length and bytes; last the SHA-1 of
 * password (UTF-16BE) + "Mighty Aphrodite" + everything before it. Password "changeit".
 *
 * Dates come from the certificates, not the clock, so the bytes depend only on the bundle
 * (distroless's choice); `timestamp` pins every date to SOURCE_DATE_EPOCH instead.
 */
import { createHash } from 'node:crypto';
import type { LayerEntry } from '../oci/index.ts';
import { certificateFacts } from './der.ts';
import { bytesEntry } from './entry-content.ts';
import { AssembleError } from './errors.ts';
import { canonicalName } from './x500-canonical.ts';

export const JAVA_CACERTS_PATH = 'etc/ssl/certs/java/cacerts';
export const JKS_MAGIC = 0xfeedfeed;

/** rules_distroless java_keystore gives /etc this fixed mtime (mtree time=946684800). */
export const JAVA_ETC_MTIME = 946684800;

export interface JavaKeystoreOptions {
  /** Store password (default "changeit", the JDK's). */
  password?: string;
  /** Seconds since the epoch for every entry's date; default: each certificate's notBefore. */
  timestamp?: number;
  /** Mode of the cacerts file (default 0o555, rules_distroless v0.8.0). */
  mode?: number;
}

/** DataOutputStream.writeUTF: 2-byte length, then modified UTF-8 of the UTF-16 code units. */
function javaUtf(s: string): Buffer {
  const bytes: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x01 && c <= 0x7f) bytes.push(c);
    else if (c <= 0x7ff) bytes.push(0xc0 | (c >> 6), 0x80 | (c & 0x3f));
    else bytes.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 0x3f), 0x80 | (c & 0x3f));
  }
  if (bytes.length > 0xffff)
    throw new AssembleError('KEYSTORE_INPUT_INVALID', `alias too long: ${s.slice(0, 80)}…`);
  const out = Buffer.alloc(2 + bytes.length);
  out.writeUInt16BE(bytes.length, 0);
  Buffer.from(bytes).copy(out, 2);
  return out;
}

function int32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0, 0);
  return b;
}

/** The DER certificates of a PEM bundle, in order. */
export function pemCertificates(bundle: Buffer | string): Buffer[] {
  const text = typeof bundle === 'string' ? bundle : bundle.toString('latin1');
  const blocks = text.match(/-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/g) ?? [];
  return blocks.map((b) => Buffer.from(b.replace(/-----[A-Z ]+-----/g, '').replace(/\s+/g, ''), 'base64'));
}

/** One trusted-certificate entry as it will be stored. */
export interface KeystoreEntry {
  alias: string;
  /** Creation date, ms since the epoch. */
  date: number;
  der: Buffer;
}

/** The entries a bundle yields (alias, date, DER), in bundle order. */
export function keystoreEntries(bundle: Buffer | string, opts: JavaKeystoreOptions = {}): KeystoreEntry[] {
  const ders = pemCertificates(bundle);
  if (ders.length === 0)
    throw new AssembleError('KEYSTORE_INPUT_INVALID', 'the CA bundle holds no PEM certificate');
  return ders.map((der) => {
    const { subject, notBefore } = certificateFacts(der);
    const date = opts.timestamp === undefined ? notBefore : opts.timestamp * 1000;
    return { alias: canonicalName(subject), date, der };
  });
}

/**
 * The JKS bytes for a PEM bundle (e.g. caBundle(...).bundle).
 * @example writeFileSync('cacerts', javaKeystore(bundle)); // keytool -list -storepass changeit
 */
export function javaKeystore(bundle: Buffer | string, opts: JavaKeystoreOptions = {}): Buffer {
  const entries = keystoreEntries(bundle, opts);
  const parts: Buffer[] = [int32(JKS_MAGIC), int32(2), int32(entries.length)];
  for (const e of entries) {
    const date = Buffer.alloc(8);
    date.writeBigInt64BE(BigInt(e.date), 0);
    parts.push(int32(2), javaUtf(e.alias), date, javaUtf('X.509'), int32(e.der.length), e.der);
  }
  const body = Buffer.concat(parts);
  const password = opts.password ?? 'changeit';
  const pw = Buffer.alloc(password.length * 2);
  for (let i = 0; i < password.length; i++) pw.writeUInt16BE(password.charCodeAt(i), i * 2);
  const digest = createHash('sha1').update(pw).update('Mighty Aphrodite', 'utf8').update(body).digest();
  return Buffer.concat([body, digest]);
}

/** The layer entries of the trust store: /etc/ssl/certs/java/cacerts and its directories. */
export function javaKeystoreEntries(bundle: Buffer | string, opts: JavaKeystoreOptions = {}): LayerEntry[] {
  const jks = javaKeystore(bundle, opts);
  const dir = (path: string): LayerEntry => ({ path, type: 'dir', mode: 0o755, uid: 0, gid: 0 });
  return [
    { ...dir('etc'), mtime: JAVA_ETC_MTIME },
    dir('etc/ssl'),
    dir('etc/ssl/certs'),
    dir('etc/ssl/certs/java'),
    bytesEntry(JAVA_CACERTS_PATH, jks, opts.mode ?? 0o555),
  ];
}
