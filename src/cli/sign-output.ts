/**
 * `--sign`, `--attest` and `--key` on build, base and push: after the outputs are written, the
 * image is signed (and attested: its SPDX SBOM, and SLSA provenance v1 from the build's lock) in
 * each output that can hold signatures — the registry it was pushed to, and the OCI layout (as
 * `cosign save` lays them out). The key is opened before anything is built, so a wrong password
 * costs nothing.
 */
import type { Command } from 'commander';
import type { Artifact } from '../oci/index.ts';
import { parseReference } from '../registry/index.ts';
import {
  type AttachedStore,
  attestImage,
  dockerReferenceOf,
  layoutStore,
  registryStoreOf,
  type Signer,
  signImage,
  type WriteAttachedResult,
} from '../sign/index.ts';
import type { Output } from './console-output.ts';
import { UsageError } from './errors.ts';
import { type OutputOptions, type OutputResult, outputRefs } from './output-flags.ts';
import { registryOptions } from './registry-flags.ts';
import { loadSigner, type PredicateSources, statementFor } from './signing.ts';

export interface SignFlags {
  sign?: boolean;
  attest?: boolean;
  key?: string;
}

/** Adds --sign, --attest and --key. */
export function addSignFlags(
  cmd: Command,
  attests = 'its SPDX SBOM and SLSA provenance (v1) from the lock',
): Command {
  return cmd
    .option(
      '--sign',
      'sign the image as cosign does, in the registry pushed to and the OCI layout written (needs --key)',
    )
    .option('--attest', `attest ${attests}, as cosign attest does (needs --key)`)
    .option('--key <file>', 'private key for --sign/--attest: cosign.key (password from $COSIGN_PASSWORD)');
}

/**
 * Checks the flags and opens the key, before the build: undefined when neither --sign nor
 * --attest is given. A usage error when there is no key or no output that holds signatures.
 */
export async function signerFor(
  o: SignFlags & OutputOptions,
  defaultName: string,
): Promise<Signer | undefined> {
  if (!o.sign && !o.attest) {
    if (o.key) throw new UsageError('--key is for --sign or --attest');
    return undefined;
  }
  if (!o.key)
    throw new UsageError('--sign and --attest need --key FILE (cosign.key, or distill generate-key-pair)');
  if (!outputRefs(o, defaultName).some((r) => r.transport === 'oci' || r.transport === 'docker'))
    throw new UsageError(
      '--sign and --attest need an output that holds signatures: --output DIR or --push REF',
    );
  return loadSigner(o.key);
}

export interface SignReport {
  where: string;
  signature?: WriteAttachedResult;
  attestations?: (WriteAttachedResult & { predicateType: string })[];
}

/** Signs and attests `artifact` in every output of `o` that can hold signatures. */
export async function signOutputs(
  signer: Signer,
  artifact: Artifact,
  o: SignFlags & OutputOptions,
  res: OutputResult,
  defaultName: string,
  out: Output,
  provenance?: PredicateSources,
): Promise<SignReport[]> {
  const stores: AttachedStore[] = [];
  const registry = registryOptions(o, out.warn);
  const subject = {
    mediaType: artifact.descriptor.mediaType,
    digest: artifact.descriptor.digest,
    size: artifact.descriptor.size,
  };
  const pushed = o.push ? parseReference(o.push.replace(/^docker:\/\//, '')) : undefined;
  for (const ref of outputRefs(o, defaultName)) {
    if (ref.transport === 'oci')
      stores.push(await layoutStore(ref.dir, ref.tag, pushed ? dockerReferenceOf(pushed) : undefined));
    if (ref.transport === 'docker' && pushed && res.push)
      stores.push({ ...registryStoreOf(pushed, subject, registry), artifact });
  }
  const reports: SignReport[] = [];
  for (const store of stores) {
    const report: SignReport = { where: store.where };
    if (o.sign) {
      report.signature = await signImage(store, signer);
      out.info(`signed ${store.where}: ${report.signature.location}`);
    }
    if (o.attest) {
      report.attestations = [];
      const types = provenance?.lock ? ['spdxjson', 'slsaprovenance1'] : ['spdxjson'];
      for (const type of types) {
        const { statement, predicateType } = await statementFor(type, store, provenance ?? {});
        const r = await attestImage(store, signer, statement, predicateType);
        report.attestations.push({ ...r, predicateType });
        out.info(`attested ${store.where} (${predicateType}): ${r.location}`);
      }
    }
    reports.push(report);
  }
  return reports;
}
