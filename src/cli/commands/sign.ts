/**
 * `distill sign IMAGE --key cosign.key`: a cosign signature of IMAGE (a registry reference, or
 * oci:DIR[:TAG]) stored where cosign looks — the `sha256-<hex>.sig` tag (plus an OCI 1.1 referrer
 * when the registry has the referrers API), or the layout's cosign entries.
 */
import type { Command } from 'commander';
import { signImage } from '../../sign/index.ts';
import { consoleOutput } from '../console-output.ts';
import { addRegistryFlags, type RegistryFlags, registryOptions } from '../registry-flags.ts';
import { loadSigner, storeFor } from '../signing.ts';

interface Flags extends RegistryFlags {
  key: string;
  identity?: string;
  json?: boolean;
}

export function register(program: Command): void {
  addRegistryFlags(
    program
      .command('sign <image>')
      .description('sign an image (registry reference or oci:DIR[:TAG]) as cosign does, with a cosign key')
      .requiredOption(
        '--key <file>',
        'private key: cosign.key (password from $COSIGN_PASSWORD) or an EC PRIVATE KEY',
      )
      .option(
        '--identity <name>',
        'the docker-reference to sign the image under (default: its repository; in a layout, the directory name)',
      )
      .option('--json', 'print the result as JSON')
      .option('-q, --quiet', 'no progress on stderr'),
  ).action(async (image: string, o: Flags) => {
    const out = consoleOutput(Boolean(o.json));
    const signer = await loadSigner(o.key);
    const store = await storeFor(image, registryOptions(o, out.warn), o.identity);
    const r = await signImage(store, signer);
    out.result({ image: store.where, digest: store.subject.digest, identity: store.name, signature: r });
    out.info(
      `signed ${store.where} as ${store.name}: ${r.location}${r.referrer ? ` and referrer ${r.referrer}` : ''} (${r.layers} signature${r.layers === 1 ? '' : 's'}${r.added ? '' : ', this key had signed it already'})`,
    );
  });
}
