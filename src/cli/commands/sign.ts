/**
 * `distill sign IMAGE --key cosign.key`: a cosign signature of IMAGE (a registry reference, or
 * oci:DIR[:TAG]) stored where cosign looks — the `sha256-<hex>.sig` tag (plus an OCI 1.1 referrer
 * when the registry has the referrers API), or the layout's cosign entries. `--recursive` signs a
 * multi-platform index's platform images too, as `cosign sign --recursive` does.
 */
import type { Command } from 'commander';
import { parseReference } from '../../registry/index.ts';
import { type AttachedStore, registryStoreOf, signImage } from '../../sign/index.ts';
import { parseImageRef } from '../../transports/index.ts';
import { consoleOutput } from '../console-output.ts';
import { UsageError } from '../errors.ts';
import { addRegistryFlags, type RegistryFlags, registryOptions } from '../registry-flags.ts';
import { loadSigner, storeFor } from '../signing.ts';

interface Flags extends RegistryFlags {
  key: string;
  identity?: string;
  recursive?: boolean;
  json?: boolean;
}

/** The platform images of an index, each with its own store in the index's repository. */
function childStores(
  store: AttachedStore,
  reference: string,
  opts: Parameters<typeof registryStoreOf>[2],
): { store: AttachedStore; platform: string }[] {
  const a = store.artifact;
  if (a?.kind !== 'index') return [];
  const ref = parseReference(reference);
  return a.children.map((c) => {
    const d = c.descriptor;
    const p = d.platform;
    return {
      store: { ...registryStoreOf(ref, d, opts), artifact: c, name: store.name },
      platform: p ? [p.os, p.architecture, p.variant].filter(Boolean).join('/') : 'unknown',
    };
  });
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
      .option(
        '--recursive',
        "a registry index: sign each platform's image too, as cosign sign --recursive does",
      )
      .option('--json', 'print the result as JSON')
      .option('-q, --quiet', 'no progress on stderr'),
  ).action(async (image: string, o: Flags) => {
    const out = consoleOutput(Boolean(o.json));
    // Before the key is opened: a layout carries one signed image (cosign's layout).
    const parsed = parseImageRef(image);
    if (o.recursive && parsed.transport !== 'docker')
      throw new UsageError(
        `--recursive signs the images of an index in a registry; ${image} is not a registry image (a cosign layout carries one signed image)`,
      );
    const signer = await loadSigner(o.key);
    const client = registryOptions(o, out.warn);
    const store = await storeFor(image, client, o.identity);
    const r = await signImage(store, signer);
    const children = [];
    for (const c of o.recursive && parsed.transport === 'docker'
      ? childStores(store, parsed.reference, client)
      : []) {
      const s = await signImage(c.store, signer);
      children.push({ platform: c.platform, digest: c.store.subject.digest, signature: s });
      out.info(`signed ${c.platform} ${c.store.where}: ${s.location}${s.added ? '' : ' (signed already)'}`);
    }
    out.result({
      image: store.where,
      digest: store.subject.digest,
      identity: store.name,
      signature: r,
      ...(o.recursive ? { children } : {}),
    });
    out.info(
      `signed ${store.where} as ${store.name}: ${r.location}${r.referrer ? ` and referrer ${r.referrer}` : ''} (${r.layers} signature${r.layers === 1 ? '' : 's'}${r.added ? '' : ', this key had signed it already'})`,
    );
  });
}
