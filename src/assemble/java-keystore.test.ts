import assert from 'node:assert/strict';
import { createHash, X509Certificate } from 'node:crypto';
import { describe, it } from 'node:test';
import { haveOpenssl, makeCerts, SUBJECTS } from '../../test/fixtures/assemble/certs.ts';
import {
  JAVA_CACERTS_PATH,
  JKS_MAGIC,
  javaKeystore,
  javaKeystoreEntries,
  keystoreEntries,
} from './java-keystore.ts';

function skipWithoutOpenssl(t: { skip(msg: string): void }): boolean {
  if (haveOpenssl()) return false;
  if (process.env.CI === 'true') throw new Error('openssl missing (Debian package openssl)');
  t.skip('openssl missing (Debian package openssl)');
  return true;
}

// What Java 17's X500Principal.getName(CANONICAL) returns for SUBJECTS (checked with the JDK:
// keytool -list and TrustedCount.java print exactly these).
const JAVA_ALIASES = [
  'cn=alpha root ca,o=distill test,c=us',
  'cn=\\#beta root ca \\\\1,ou=trust services,o=example\\, inc. \\+co\\;\\<x\\>,c=de',
  '1.2.840.113549.1.9.1=#160e6361406578616d706c652e6f7267,cn=gamma+ou=unit two,o=société générale,c=fr'.normalize(
    'NFKD',
  ),
];

/** A minimal JKS reader, enough to check what javaKeystore wrote. */
function parseJks(b: Buffer) {
  let p = 0;
  const u32 = () => {
    const v = b.readUInt32BE(p);
    p += 4;
    return v;
  };
  const utf = () => {
    const n = b.readUInt16BE(p);
    const s = b.subarray(p + 2, p + 2 + n).toString('utf8');
    p += 2 + n;
    return s;
  };
  const magic = u32();
  const version = u32();
  const count = u32();
  const entries = [];
  for (let i = 0; i < count; i++) {
    const tag = u32();
    const alias = utf();
    const date = Number(b.readBigInt64BE(p));
    p += 8;
    const type = utf();
    const len = u32();
    const der = b.subarray(p, p + len);
    p += len;
    entries.push({ tag, alias, date, type, der });
  }
  return { magic, version, entries, body: b.subarray(0, p), digest: b.subarray(p) };
}

describe('javaKeystore', () => {
  it('writes a JKS store with canonical-subject aliases, notBefore dates and the keyed SHA-1', (t) => {
    if (skipWithoutOpenssl(t)) return;
    const pems = makeCerts();
    const jks = javaKeystore(pems.join(''));
    const k = parseJks(jks);
    assert.equal(k.magic, JKS_MAGIC);
    assert.equal(k.version, 2);
    assert.deepEqual(
      k.entries.map((e) => e.alias),
      JAVA_ALIASES,
    );
    for (const [i, e] of k.entries.entries()) {
      const x = new X509Certificate(pems[i] as string);
      assert.equal(e.tag, 2);
      assert.equal(e.type, 'X.509');
      assert.ok(e.der.equals(x.raw));
      assert.equal(e.date, Date.parse(x.validFrom));
    }
    const pw = Buffer.from('changeit', 'utf16le').swap16();
    const want = createHash('sha1').update(pw).update('Mighty Aphrodite').update(k.body).digest();
    assert.ok(k.digest.equals(want));
    assert.equal(SUBJECTS.length, k.entries.length);
  });

  it('is deterministic, and pins dates to SOURCE_DATE_EPOCH when asked', (t) => {
    if (skipWithoutOpenssl(t)) return;
    const bundle = Buffer.from(makeCerts().join(''));
    assert.ok(javaKeystore(bundle).equals(javaKeystore(Buffer.from(bundle))));
    const pinned = parseJks(javaKeystore(bundle, { timestamp: 1700000000 }));
    for (const e of pinned.entries) assert.equal(e.date, 1700000000000);
    // Another password changes only the digest.
    const other = javaKeystore(bundle, { password: 'secret' });
    const base = javaKeystore(bundle);
    assert.ok(other.subarray(0, -20).equals(base.subarray(0, -20)));
    assert.ok(!other.subarray(-20).equals(base.subarray(-20)));
  });

  it('gives the store the distroless path, mode and directories', (t) => {
    if (skipWithoutOpenssl(t)) return;
    const entries = javaKeystoreEntries(makeCerts().join(''));
    const m = new Map(entries.map((e) => [e.path, e]));
    assert.deepEqual(
      [...m.keys()],
      ['etc', 'etc/ssl', 'etc/ssl/certs', 'etc/ssl/certs/java', JAVA_CACERTS_PATH],
    );
    assert.equal(m.get(JAVA_CACERTS_PATH)?.mode, 0o555);
    assert.equal(m.get('etc')?.mtime, 946684800);
    assert.equal(m.get('etc/ssl/certs/java')?.mtime, undefined);
  });

  it('refuses a bundle without certificates, or with a certificate that is not DER X.509', () => {
    assert.throws(() => javaKeystore(''), { code: 'KEYSTORE_INPUT_INVALID' });
    assert.throws(() => javaKeystore('just text\n'), { code: 'KEYSTORE_INPUT_INVALID' });
    const junk = `-----BEGIN CERTIFICATE-----\n${Buffer.from('not a certificate').toString('base64')}\n-----END CERTIFICATE-----\n`;
    assert.throws(() => javaKeystore(junk), { code: 'KEYSTORE_INPUT_INVALID' });
    // A SEQUENCE whose length runs past the end.
    const cut = `-----BEGIN CERTIFICATE-----\n${Buffer.from([0x30, 0x82, 0x10, 0x00, 0x30]).toString('base64')}\n-----END CERTIFICATE-----\n`;
    assert.throws(() => keystoreEntries(cut), { code: 'KEYSTORE_INPUT_INVALID' });
  });
});
