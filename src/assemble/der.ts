/**
 * The few DER facts the Java keystore needs from a certificate — subject Name and notBefore —
 * read with a small strict TLV walker (node's X509Certificate exposes neither the raw subject nor
 * the exact string types Java's canonical alias depends on).
 */
import { AssembleError } from './errors.ts';

/** One DER element: tag byte, its content, and the whole encoding (tag + length + content). */
export interface Tlv {
  tag: number;
  content: Buffer;
  raw: Buffer;
}

function fail(msg: string): never {
  throw new AssembleError('KEYSTORE_INPUT_INVALID', `certificate DER: ${msg}`);
}

/** Reads the element at `at` (single-byte tags, definite lengths: DER only). */
export function readTlv(buf: Buffer, at = 0): Tlv {
  if (at + 2 > buf.length) fail('truncated element');
  const tag = buf[at] as number;
  if ((tag & 0x1f) === 0x1f) fail('multi-byte tag');
  let len = buf[at + 1] as number;
  let p = at + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 4) fail('unsupported length');
    len = 0;
    for (let i = 0; i < n; i++) {
      if (p >= buf.length) fail('truncated length');
      len = len * 256 + (buf[p++] as number);
    }
  }
  if (p + len > buf.length) fail('element runs past its parent');
  return { tag, content: buf.subarray(p, p + len), raw: buf.subarray(at, p + len) };
}

/** The elements inside a constructed element's content. */
export function children(content: Buffer): Tlv[] {
  const out: Tlv[] = [];
  for (let at = 0; at < content.length; ) {
    const t = readTlv(content, at);
    out.push(t);
    at += t.raw.length;
  }
  return out;
}

/** Dotted decimal form of an OBJECT IDENTIFIER's content. */
export function oidString(content: Buffer): string {
  if (content.length === 0) fail('empty OID');
  const arcs: number[] = [];
  let v = 0;
  for (const b of content) {
    v = v * 128 + (b & 0x7f);
    if (!(b & 0x80)) {
      arcs.push(v);
      v = 0;
    }
  }
  const first = arcs.shift() as number;
  const head = first < 40 ? [0, first] : first < 80 ? [1, first - 40] : [2, first - 80];
  return [...head, ...arcs].join('.');
}

/** UTCTime (0x17) or GeneralizedTime (0x18) as milliseconds since the epoch. */
export function timeMillis(t: Tlv): number {
  const s = t.content.toString('latin1');
  const m =
    t.tag === 0x17
      ? /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(s)
      : t.tag === 0x18
        ? /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(?:\.(\d{1,3})\d*)?Z$/.exec(s)
        : null;
  if (!m) fail(`unreadable time ${JSON.stringify(s)}`);
  let year = Number(m[1]);
  // RFC 5280: UTCTime years 50–99 are 19xx, 00–49 are 20xx.
  if (t.tag === 0x17) year += year >= 50 ? 1900 : 2000;
  const ms = m[7] ? Number(m[7].padEnd(3, '0')) : 0;
  return Date.UTC(year, Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]), ms);
}

/** The subject Name (raw DER) and notBefore of an X.509 certificate. */
export function certificateFacts(der: Buffer): { subject: Tlv; notBefore: number } {
  const cert = readTlv(der);
  if (cert.tag !== 0x30 || cert.raw.length !== der.length) fail('not a single SEQUENCE');
  const [tbs] = children(cert.content);
  if (tbs?.tag !== 0x30) fail('no tbsCertificate');
  const f = children(tbs.content);
  // [0] version is optional; then serial, signature, issuer, validity, subject.
  const i = f[0]?.tag === 0xa0 ? 1 : 0;
  const validity = f[i + 3];
  const subject = f[i + 4];
  if (validity?.tag !== 0x30 || subject?.tag !== 0x30) fail('tbsCertificate is short');
  const [notBefore] = children(validity.content);
  if (!notBefore) fail('empty validity');
  return { subject, notBefore: timeMillis(notBefore) };
}
