/** Network failures (resets, refused connections, broken pipes) as retryable RegistryErrors. */
import { RegistryError } from './errors.ts';

// Trying again cannot fix a name that does not resolve or a certificate that does not verify.
const NOT_RETRYABLE_NET = new Set([
  'ENOTFOUND',
  'EAI_NONAME',
  'ERR_INVALID_URL',
  'CERT_HAS_EXPIRED',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/** Errors whose cause chain holds a RegistryError or a coded library error are passed through. */
function passThroughCause(e: unknown): Error | undefined {
  let c: unknown = e;
  for (let i = 0; i < 5 && c; i++) {
    if (c instanceof RegistryError) return c;
    const code = (c as { code?: unknown }).code;
    if (c instanceof Error && typeof code === 'string' && /^(OCI|LAYER)_/.test(code)) return c;
    c = (c as { cause?: unknown }).cause;
  }
  return undefined;
}

/** A network failure as a RegistryError (retryable unless it is a name or certificate problem). */
export function networkError(what: string, e: unknown): Error {
  const passed = passThroughCause(e);
  if (passed) return passed;
  let c: unknown = e;
  let code = '';
  let msg = (e as Error)?.message ?? String(e);
  // undici wraps the socket error: "fetch failed" ← cause { code: 'ECONNRESET', message }.
  while (c && typeof c === 'object') {
    const cc = (c as { code?: unknown }).code;
    if (typeof cc === 'string') code = cc;
    if (c !== e && (c as Error).message) msg = (c as Error).message;
    c = (c as { cause?: unknown }).cause;
  }
  return new RegistryError('REGISTRY_NETWORK', `${what}: ${code ? `${code} ` : ''}${msg}`, {
    cause: e,
    retryable: !NOT_RETRYABLE_NET.has(code),
  });
}
