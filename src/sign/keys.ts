/**
 * The key files cosign writes and reads. `cosign generate-key-pair` writes `cosign.pub` (PEM
 * "PUBLIC KEY", PKIX) and `cosign.key`: PEM "ENCRYPTED SIGSTORE PRIVATE KEY" (cosign < 2.0:
 * "ENCRYPTED COSIGN PRIVATE KEY") whose body is the JSON of go-securesystemslib's `encrypted`
 * package — the PKCS#8 DER of the key sealed with nacl/secretbox (XSalsa20-Poly1305) under a key
 * that scrypt derives from the password. Unencrypted PKCS#8 ("PRIVATE KEY") and SEC1
 * ("EC PRIVATE KEY") keys are read too. Only ECDSA P-256 is accepted: that is what cosign makes.
 */
import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  randomBytes,
  scryptSync,
} from 'node:crypto';
import nacl from 'tweetnacl';
import { SignError } from './errors.ts';

const ENCRYPTED_LABELS = ['ENCRYPTED SIGSTORE PRIVATE KEY', 'ENCRYPTED COSIGN PRIVATE KEY'];
const PLAIN_LABELS = ['PRIVATE KEY', 'EC PRIVATE KEY'];

/** cosign's scrypt parameters (go-securesystemslib's defaults). */
const SCRYPT = { N: 65536, r: 8, p: 1 } as const;

interface EncryptedKey {
  kdf: { name: string; params: { N: number; r: number; p: number }; salt: string };
  cipher: { name: string; nonce: string };
  ciphertext: string;
}

/** One PEM block: its label and decoded body. */
export function readPem(text: string, what: string): { label: string; der: Buffer } {
  const m = /-----BEGIN ([A-Z0-9 ]+)-----\r?\n([\s\S]*?)-----END \1-----/.exec(text);
  if (!m) throw new SignError('SIGN_KEY_INVALID', `${what} is not a PEM file (no BEGIN/END block)`);
  const body = (m[2] as string).replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(body))
    throw new SignError('SIGN_KEY_INVALID', `${what}: the PEM body is not base64`);
  return { label: m[1] as string, der: Buffer.from(body, 'base64') };
}

/** A PEM block with 64-character lines, as Go's pem.Encode writes it. */
export function writePem(label: string, der: Buffer): string {
  const b64 = der
    .toString('base64')
    .replace(/(.{64})/g, '$1\n')
    .replace(/\n$/, '');
  return `-----BEGIN ${label}-----\n${b64}\n-----END ${label}-----\n`;
}

function assertP256(key: KeyObject, what: string): void {
  const d = key.asymmetricKeyDetails;
  if (key.asymmetricKeyType !== 'ec' || d?.namedCurve !== 'prime256v1') {
    const kind = key.asymmetricKeyType === 'ec' ? `EC ${d?.namedCurve}` : String(key.asymmetricKeyType);
    throw new SignError(
      'SIGN_KEY_UNSUPPORTED',
      `${what} is a ${kind} key; distill signs with ECDSA P-256 keys, as cosign generate-key-pair makes them`,
    );
  }
}

/**
 * The private key in `text` (a cosign.key, or an unencrypted PKCS#8/SEC1 EC key). `password` opens
 * an encrypted one (cosign reads it from $COSIGN_PASSWORD; an empty string is a password too).
 */
export function parsePrivateKey(text: string, password: string | undefined, what = 'the key'): KeyObject {
  const { label, der } = readPem(text, what);
  let key: KeyObject;
  if (ENCRYPTED_LABELS.includes(label)) {
    if (password === undefined)
      throw new SignError(
        'SIGN_KEY_PASSWORD_MISSING',
        `${what} is encrypted: set COSIGN_PASSWORD to its password (as for cosign)`,
      );
    key = pkcs8Key(decrypt(der, password, what), what);
  } else if (PLAIN_LABELS.includes(label)) {
    try {
      key = createPrivateKey({ key: der, format: 'der', type: label === 'PRIVATE KEY' ? 'pkcs8' : 'sec1' });
    } catch (e) {
      throw new SignError('SIGN_KEY_INVALID', `${what}: not a valid ${label}`, { cause: e });
    }
  } else {
    throw new SignError(
      'SIGN_KEY_INVALID',
      `${what} holds a "${label}" PEM block; expected a cosign private key (ENCRYPTED SIGSTORE PRIVATE KEY) or an EC PRIVATE KEY / PRIVATE KEY`,
    );
  }
  assertP256(key, what);
  return key;
}

function pkcs8Key(der: Buffer, what: string): KeyObject {
  try {
    return createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
  } catch (e) {
    throw new SignError('SIGN_KEY_INVALID', `${what}: the decrypted key is not PKCS#8`, { cause: e });
  }
}

function decrypt(json: Buffer, password: string, what: string): Buffer {
  let e: EncryptedKey;
  try {
    e = JSON.parse(json.toString('utf8')) as EncryptedKey;
  } catch (err) {
    throw new SignError('SIGN_KEY_INVALID', `${what}: the encrypted key is not JSON`, { cause: err });
  }
  if (e?.kdf?.name !== 'scrypt' || e?.cipher?.name !== 'nacl/secretbox' || typeof e.ciphertext !== 'string')
    throw new SignError(
      'SIGN_KEY_INVALID',
      `${what}: unsupported encryption (kdf ${String(e?.kdf?.name)}, cipher ${String(e?.cipher?.name)}); cosign uses scrypt and nacl/secretbox`,
    );
  const { N, r, p } = e.kdf.params ?? ({} as EncryptedKey['kdf']['params']);
  if (![N, r, p].every((x) => Number.isInteger(x) && x > 0) || N > 1 << 20 || r > 32 || p > 16)
    throw new SignError('SIGN_KEY_INVALID', `${what}: scrypt parameters out of range`);
  const salt = Buffer.from(e.kdf.salt ?? '', 'base64');
  const nonce = Buffer.from(e.cipher.nonce ?? '', 'base64');
  const box = Buffer.from(e.ciphertext, 'base64');
  if (nonce.length !== nacl.secretbox.nonceLength)
    throw new SignError('SIGN_KEY_INVALID', `${what}: the nonce is ${nonce.length} bytes, not 24`);
  const k = scryptSync(Buffer.from(password, 'utf8'), salt, 32, {
    N,
    r,
    p,
    maxmem: 256 * N * r + 1024 * 1024,
  });
  const plain = nacl.secretbox.open(box, nonce, k);
  if (!plain)
    throw new SignError(
      'SIGN_KEY_PASSWORD_WRONG',
      `${what}: the password does not open this key (check COSIGN_PASSWORD)`,
    );
  return Buffer.from(plain);
}

/** The public key in a PEM file (cosign.pub: PKIX "PUBLIC KEY"). */
export function parsePublicKey(text: string, what = 'the public key'): KeyObject {
  const { label, der } = readPem(text, what);
  if (label !== 'PUBLIC KEY')
    throw new SignError('SIGN_KEY_INVALID', `${what} holds a "${label}" PEM block; expected PUBLIC KEY`);
  let key: KeyObject;
  try {
    key = createPublicKey({ key: der, format: 'der', type: 'spki' });
  } catch (e) {
    throw new SignError('SIGN_KEY_INVALID', `${what}: not a valid PKIX public key`, { cause: e });
  }
  assertP256(key, what);
  return key;
}

/** cosign.key's text: the key sealed under `password` as cosign seals it. */
export function encryptPrivateKey(key: KeyObject, password: string): string {
  const der = key.export({ format: 'der', type: 'pkcs8' });
  const salt = randomBytes(32);
  const nonce = randomBytes(nacl.secretbox.nonceLength);
  const k = scryptSync(Buffer.from(password, 'utf8'), salt, 32, { ...SCRYPT, maxmem: 256 * 1024 * 1024 });
  const box = nacl.secretbox(der, nonce, k);
  // Field order as go-securesystemslib marshals its structs.
  const json = JSON.stringify({
    kdf: { name: 'scrypt', params: { N: SCRYPT.N, r: SCRYPT.r, p: SCRYPT.p }, salt: salt.toString('base64') },
    cipher: { name: 'nacl/secretbox', nonce: nonce.toString('base64') },
    ciphertext: Buffer.from(box).toString('base64'),
  });
  return writePem('ENCRYPTED SIGSTORE PRIVATE KEY', Buffer.from(json));
}

/** cosign.pub's text. */
export function publicKeyPem(key: KeyObject): string {
  const pub = key.type === 'private' ? createPublicKey(key) : key;
  return writePem('PUBLIC KEY', pub.export({ format: 'der', type: 'spki' }));
}

/** A new ECDSA P-256 key pair, as cosign generate-key-pair makes. */
export function generateKeyPair(): { privateKey: KeyObject; publicKey: KeyObject } {
  return generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
}
