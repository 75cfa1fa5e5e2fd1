/**
 * in-toto Statements as cosign 2.5 writes them (`cosign attest`): `_type` Statement v0.1, the
 * predicate type, one subject (the repository, and the image digest), then the predicate. The
 * fields are in that order so the bytes match cosign's for the same predicate.
 */
import type { Digest } from '../oci/index.ts';

export const STATEMENT_V01 = 'https://in-toto.io/Statement/v0.1';

export interface Statement {
  _type: string;
  predicateType: string;
  subject: { name: string; digest: Record<string, string> }[];
  predicate: unknown;
}

/** The statement about `digest` (named `name`, e.g. `host/repo`) with `predicate`. */
export function inTotoStatement(
  name: string,
  digest: Digest,
  predicateType: string,
  predicate: unknown,
): Buffer {
  const s: Statement = {
    _type: STATEMENT_V01,
    predicateType,
    subject: [{ name, digest: { sha256: digest.replace(/^sha256:/, '') } }],
    predicate,
  };
  return Buffer.from(JSON.stringify(s));
}

/** Parses a statement; undefined when the bytes are not one. */
export function parseStatement(payload: Buffer): Statement | undefined {
  try {
    const s = JSON.parse(payload.toString('utf8')) as Statement;
    return typeof s?._type === 'string' && typeof s.predicateType === 'string' && Array.isArray(s.subject)
      ? s
      : undefined;
  } catch {
    return undefined;
  }
}
