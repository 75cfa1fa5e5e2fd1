import assert from 'node:assert/strict';
import { type createPublicKey, generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { sha256 } from '../oci/index.ts';
import {
  encryptPrivateKey,
  generateKeyPair,
  keySigner,
  keyVerifier,
  pae,
  parsePrivateKey,
  parsePublicKey,
  publicKeyPem,
  simpleSigningPayload,
  writePem,
} from './index.ts';

const FIX = fileURLToPath(new URL('../../../test/fixtures/cosign/', import.meta.url));
const fixture = (n: string) => readFileSync(join(FIX, n), 'utf8');

describe('cosign key files', () => {
  it('opens the cosign.key cosign 2.5 generated, whose public key is its cosign.pub', () => {
    const key = parsePrivateKey(fixture('cosign.key'), 'pw');
    const pub = parsePublicKey(fixture('cosign.pub'));
    assert.equal(publicKeyPem(key), publicKeyPem(pub));
    assert.equal(publicKeyPem(pub), fixture('cosign.pub'), 'the same PEM bytes cosign wrote');
  });

  it('reads the pre-2.0 label (ENCRYPTED COSIGN PRIVATE KEY) too', () => {
    const old = fixture('cosign.key').replaceAll('SIGSTORE', 'COSIGN');
    assert.equal(publicKeyPem(parsePrivateKey(old, 'pw')), fixture('cosign.pub'));
  });

  it('a wrong password is SIGN_KEY_PASSWORD_WRONG; none is SIGN_KEY_PASSWORD_MISSING', () => {
    assert.throws(() => parsePrivateKey(fixture('cosign.key'), 'nope'), { code: 'SIGN_KEY_PASSWORD_WRONG' });
    assert.throws(() => parsePrivateKey(fixture('cosign.key'), ''), { code: 'SIGN_KEY_PASSWORD_WRONG' });
    assert.throws(() => parsePrivateKey(fixture('cosign.key'), undefined), {
      code: 'SIGN_KEY_PASSWORD_MISSING',
    });
  });

  it('writes keys that it (and so cosign, same format) opens; an empty password is a password', () => {
    const { privateKey } = generateKeyPair();
    for (const pw of ['s3cret', '']) {
      const text = encryptPrivateKey(privateKey, pw);
      assert.match(text, /^-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\n([A-Za-z0-9+/=]{64}\n)+/);
      const body = JSON.parse(Buffer.from(text.split('\n').slice(1, -2).join(''), 'base64').toString());
      assert.deepEqual(Object.keys(body), ['kdf', 'cipher', 'ciphertext']);
      assert.deepEqual(body.kdf.params, { N: 65536, r: 8, p: 1 });
      assert.equal(body.cipher.name, 'nacl/secretbox');
      assert.equal(publicKeyPem(parsePrivateKey(text, pw)), publicKeyPem(privateKey));
    }
  });

  it('reads unencrypted PKCS#8 and SEC1 EC keys', () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const pkcs8 = privateKey.export({ format: 'pem', type: 'pkcs8' }) as string;
    const sec1 = privateKey.export({ format: 'pem', type: 'sec1' }) as string;
    for (const t of [pkcs8, sec1])
      assert.equal(publicKeyPem(parsePrivateKey(t, undefined)), publicKeyPem(privateKey));
  });

  it('other algorithms and curves are SIGN_KEY_UNSUPPORTED; garbage is SIGN_KEY_INVALID', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 });
    const p384 = generateKeyPairSync('ec', { namedCurve: 'secp384r1' });
    const pem = (k: typeof rsa.privateKey) => k.export({ format: 'pem', type: 'pkcs8' }) as string;
    assert.throws(() => parsePrivateKey(pem(rsa.privateKey), undefined), { code: 'SIGN_KEY_UNSUPPORTED' });
    assert.throws(() => parsePrivateKey(pem(p384.privateKey), undefined), { code: 'SIGN_KEY_UNSUPPORTED' });
    assert.throws(() => parsePublicKey(publicKeyPemOf(rsa.publicKey)), { code: 'SIGN_KEY_UNSUPPORTED' });
    assert.throws(() => parsePrivateKey('hello', 'pw'), { code: 'SIGN_KEY_INVALID' });
    assert.throws(() => parsePrivateKey(writePem('CERTIFICATE', Buffer.from('x')), 'pw'), {
      code: 'SIGN_KEY_INVALID',
    });
    assert.throws(() => parsePrivateKey(writePem('ENCRYPTED SIGSTORE PRIVATE KEY', Buffer.from('{')), 'pw'), {
      code: 'SIGN_KEY_INVALID',
    });
    const weird = {
      kdf: { name: 'pbkdf2', params: {}, salt: '' },
      cipher: { name: 'aes', nonce: '' },
      ciphertext: '',
    };
    assert.throws(
      () =>
        parsePrivateKey(writePem('ENCRYPTED SIGSTORE PRIVATE KEY', Buffer.from(JSON.stringify(weird))), 'pw'),
      { code: 'SIGN_KEY_INVALID' },
    );
    assert.throws(() => parsePublicKey(fixture('cosign.key')), { code: 'SIGN_KEY_INVALID' });
  });
});

function publicKeyPemOf(k: ReturnType<typeof createPublicKey>): string {
  return k.export({ format: 'pem', type: 'spki' }) as string;
}

describe('payloads', () => {
  it('the simple-signing payload is byte for byte what cosign signed, and cosign`s signature verifies', () => {
    const digest = 'sha256:22c2af8d13bbd7a54345bc8c0df0e59780b827b4abe379cc07c5d8f99bc2e974';
    const payload = simpleSigningPayload('127.0.0.1:5123/test/app', digest);
    assert.equal(payload.toString(), fixture('simplesigning.payload'));
    const v = keyVerifier(parsePublicKey(fixture('cosign.pub')));
    const sig = Buffer.from(fixture('simplesigning.sig').trim(), 'base64');
    assert.ok(v.verify(payload, sig));
    const tampered = simpleSigningPayload('127.0.0.1:5123/test/app', `sha256:${'0'.repeat(64)}`);
    assert.ok(!v.verify(tampered, sig));
    assert.ok(!v.verify(payload, Buffer.from('not der')));
  });

  it('PAE is DSSE v1`s (its spec example), and verifies the envelope cosign attest wrote', () => {
    assert.equal(
      pae('http://example.com/HelloWorld', Buffer.from('hello world')).toString(),
      'DSSEv1 29 http://example.com/HelloWorld 11 hello world',
    );
    const env = JSON.parse(fixture('dsse-envelope.dsse'));
    const v = keyVerifier(parsePublicKey(fixture('cosign.pub')));
    const body = Buffer.from(env.payload, 'base64');
    assert.ok(v.verify(pae(env.payloadType, body), Buffer.from(env.signatures[0].sig, 'base64')));
    assert.ok(!v.verify(body, Buffer.from(env.signatures[0].sig, 'base64')), 'the PAE, not the bare payload');
  });

  it('a key signer`s signatures verify with its public key', async () => {
    const s = keySigner(parsePrivateKey(fixture('cosign.key'), 'pw'));
    const data = Buffer.from(sha256(Buffer.from('x')));
    const { signature } = await s.sign(data);
    assert.ok(keyVerifier(parsePublicKey(fixture('cosign.pub'))).verify(data, signature));
  });
});
