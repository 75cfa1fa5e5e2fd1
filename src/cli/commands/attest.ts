/**
 * `distill attest IMAGE --key cosign.key --type spdxjson|cyclonedx|slsaprovenance|slsaprovenance1`:
 * an in-toto statement about IMAGE in a DSSE envelope, stored as cosign stores attestations (the
 * `sha256-<hex>.att` tag, or the layout's cosign entries). SBOM predicates are made from the
 * image (as `distill sbom` makes them); SLSA provenance from the lock it was built from.
 */

import { basename } from 'node:path';
import type { Command } from 'commander';
import { sourceDateEpoch } from '../../platform/index.ts';
import { attestImage } from '../../sign/index.ts';
import { consoleOutput } from '../console-output.ts';
import { addRegistryFlags, type RegistryFlags, registryOptions } from '../registry-flags.ts';
import { loadSigner, readLockForProvenance, statementFor, storeFor } from '../signing.ts';

interface Flags extends RegistryFlags {
  key: string;
  type: string;
  predicate?: string;
  lock?: string;
  builderId?: string;
  platform?: string;
  identity?: string;
  json?: boolean;
}

export function register(program: Command): void {
  addRegistryFlags(
    program
      .command('attest <image>')
      .description('attest an image (SBOM or SLSA provenance) as cosign attest does, with a cosign key')
      .requiredOption(
        '--key <file>',
        'private key: cosign.key (password from $COSIGN_PASSWORD) or an EC PRIVATE KEY',
      )
      .option(
        '--type <type>',
        'spdxjson (SPDX 2.3 of the image), cyclonedx, slsaprovenance1 (SLSA v1) or slsaprovenance (SLSA v0.2) from --lock, or any cosign type / URI with --predicate',
        'spdxjson',
      )
      .option('--predicate <file>', 'the predicate as JSON (instead of the one distill makes)')
      .option(
        '--lock <file>',
        'for SLSA provenance: the distill.lock (or base --lock file) the image was built from',
      )
      .option('--builder-id <uri>', 'SLSA builder.id (default urn:distill:builder:local)')
      .option('--platform <os/arch[/variant]>', 'for an index: the image whose SBOM is attested')
      .option(
        '--identity <name>',
        'the in-toto subject name (default: its repository; in a layout, the directory name)',
      )
      .option('--json', 'print the result as JSON')
      .option('-q, --quiet', 'no progress on stderr'),
  ).action(async (image: string, o: Flags) => {
    const out = consoleOutput(Boolean(o.json));
    const signer = await loadSigner(o.key);
    const lock = o.lock ? await readLockForProvenance(o.lock) : undefined;
    const store = await storeFor(image, registryOptions(o, out.warn), o.identity);
    const { statement, predicateType } = await statementFor(o.type, store, {
      ...(o.predicate ? { predicateFile: o.predicate } : {}),
      ...(lock ? { lock: lock.lock, lockBytes: lock.bytes, lockName: basename(o.lock as string) } : {}),
      ...(o.builderId ? { builderId: o.builderId } : {}),
      ...(o.platform ? { platform: o.platform } : {}),
      epoch: sourceDateEpoch(process.env),
    });
    const r = await attestImage(store, signer, statement, predicateType);
    out.result({ image: store.where, digest: store.subject.digest, predicateType, attestation: r });
    out.info(
      `attested ${store.where} (${predicateType}): ${r.location}${r.referrer ? ` and referrer ${r.referrer}` : ''}`,
    );
  });
}
