/**
 * `distill verify IMAGE --key cosign.pub [--type T]...`: checks IMAGE's cosign signatures (or,
 * with --type, its attestations of those types) — each signature valid with the key, each payload
 * naming IMAGE's digest. Exit 1 with SIGN_VERIFY_FAILED or SIGN_NOT_FOUND otherwise.
 */
import type { Command } from 'commander';
import { predicateTypeUri } from '../../attest/index.ts';
import { verifyAttestations, verifySignatures } from '../../sign/index.ts';
import { consoleOutput } from '../console-output.ts';
import { collect } from '../options.ts';
import { addRegistryFlags, type RegistryFlags, registryOptions } from '../registry-flags.ts';
import { loadVerifier, storeFor } from '../signing.ts';

interface Flags extends RegistryFlags {
  key: string;
  type?: string[];
  json?: boolean;
}

export function register(program: Command): void {
  addRegistryFlags(
    program
      .command('verify <image>')
      .description(
        "verify an image's cosign signatures, or with --type its attestations, against a public key",
      )
      .requiredOption('--key <file>', 'public key (cosign.pub)')
      .option(
        '--type <type>',
        'verify attestations of this type (spdxjson, slsaprovenance1, … or a URI); repeatable',
        collect,
      )
      .option('--json', 'print the result as JSON')
      .option('-q, --quiet', 'no progress on stderr'),
  ).action(async (image: string, o: Flags) => {
    const out = consoleOutput(Boolean(o.json));
    const verifier = await loadVerifier(o.key);
    const types = (o.type ?? []).map((t) => ({ name: t, uri: predicateTypeUri(t) }));
    const store = await storeFor(image, registryOptions(o, out.warn));
    const result: Record<string, unknown> = { image: store.where, digest: store.subject.digest };
    if (!types.length) {
      const r = await verifySignatures(store, verifier);
      result.signatures = r.verified.map((v) => JSON.parse(v.payload.toString('utf8')));
      result.rejected = r.rejected;
      out.info(
        `verified ${store.where}: ${r.verified.length} valid signature${r.verified.length === 1 ? '' : 's'}`,
      );
      for (const why of r.rejected) out.warn(`distill: warning: a signature was ignored: ${why}`);
    } else {
      const atts: unknown[] = [];
      // The attestations are read once (a pull, referrers), whatever the number of types.
      const read = store.read('att');
      const once = { ...store, read: () => read };
      for (const t of types) {
        const r = await verifyAttestations(once, verifier, t.uri);
        atts.push(...r.verified.map((v) => JSON.parse(v.payload.toString('utf8'))));
        out.info(
          `verified ${store.where}: ${r.verified.length} valid ${t.name} attestation${r.verified.length === 1 ? '' : 's'}`,
        );
      }
      result.attestations = atts;
    }
    out.result(result);
  });
}
