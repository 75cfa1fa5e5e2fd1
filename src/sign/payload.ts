/**
 * The payloads cosign signs: the "simple signing" JSON of a container image signature, and
 * DSSE's pre-authentication encoding (PAE) for attestations. Bytes exactly as cosign writes them
 * (Go's encoding/json: struct fields in declaration order, no spaces).
 */
import type { Digest } from '../oci/index.ts';

export const SIMPLE_SIGNING_TYPE = 'cosign container image signature';

/** The simple-signing payload of `digest` under the name `dockerReference` (`host/repo`). */
export function simpleSigningPayload(dockerReference: string, digest: Digest): Buffer {
  return Buffer.from(
    `{"critical":{"identity":{"docker-reference":${goJson(dockerReference)}},"image":{"docker-manifest-digest":${goJson(
      digest,
    )}},"type":"${SIMPLE_SIGNING_TYPE}"},"optional":null}`,
  );
}

export interface SimpleSigning {
  critical: {
    identity: { 'docker-reference': string };
    image: { 'docker-manifest-digest': string };
    type: string;
  };
  optional: Record<string, unknown> | null;
}

/** Parses a simple-signing payload; undefined when it is not one. */
export function parseSimpleSigning(payload: Buffer): SimpleSigning | undefined {
  try {
    const p = JSON.parse(payload.toString('utf8')) as SimpleSigning;
    const digest = p?.critical?.image?.['docker-manifest-digest'];
    return typeof digest === 'string' && typeof p.critical.type === 'string' ? p : undefined;
  } catch {
    return undefined;
  }
}

/** DSSE v1 pre-authentication encoding: `DSSEv1 SP len(type) SP type SP len(body) SP body`. */
export function pae(payloadType: string, payload: Buffer): Buffer {
  const t = Buffer.from(payloadType, 'utf8');
  return Buffer.concat([Buffer.from(`DSSEv1 ${t.length} `), t, Buffer.from(` ${payload.length} `), payload]);
}

/** A JSON string as Go's json.Marshal writes it (it also escapes <, > and & for HTML). */
export function goJson(s: string): string {
  return JSON.stringify(s)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}
