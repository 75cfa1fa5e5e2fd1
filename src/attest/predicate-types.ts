/** The predicate types `--type` names, as cosign 2.5 maps them (cmd/cosign/cli/options/predicate.go). */
import { SignError } from '../sign/index.ts';

export const PREDICATE_TYPES: Readonly<Record<string, string>> = {
  custom: 'https://cosign.sigstore.dev/attestation/v1',
  slsaprovenance: 'https://slsa.dev/provenance/v0.2',
  slsaprovenance02: 'https://slsa.dev/provenance/v0.2',
  slsaprovenance1: 'https://slsa.dev/provenance/v1',
  spdx: 'https://spdx.dev/Document',
  spdxjson: 'https://spdx.dev/Document',
  cyclonedx: 'https://cyclonedx.org/bom',
  link: 'https://in-toto.io/Link/v1',
  vuln: 'https://cosign.sigstore.dev/attestation/vuln/v1',
  openvex: 'https://openvex.dev/ns',
};

/** The predicate type URI of a `--type` value: a short name above, or a URI as it is (as cosign takes it). */
export function predicateTypeUri(type: string): string {
  const known = PREDICATE_TYPES[type];
  if (known) return known;
  if (/^[a-z][a-z0-9+.-]*:\S+$/i.test(type)) return type;
  throw new SignError(
    'SIGN_PREDICATE_INVALID',
    `unknown predicate type ${JSON.stringify(type)}: use ${Object.keys(PREDICATE_TYPES).join(', ')}, or a URI`,
  );
}
