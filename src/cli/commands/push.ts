/** `distill push SRC REF`: an oci:/docker-archive: image or index to a registry; prints the digest. */
import type { Command } from 'commander';
import { parseReference, pushArtifact } from '../../registry/index.ts';
import { openSource, parseImageRef } from '../../transports/index.ts';
import { consoleOutput } from '../console-output.ts';
import { UsageError } from '../errors.ts';
import { collect } from '../options.ts';
import { addRegistryFlags, type RegistryFlags, registryOptions } from '../registry-flags.ts';
import { addSignFlags, type SignFlags, signerFor, signOutputs } from '../sign-output.ts';

interface Flags extends RegistryFlags, SignFlags {
  json?: boolean;
  jobs?: string;
  mountFrom?: string[];
}

export function register(program: Command): void {
  addSignFlags(
    addRegistryFlags(
      program
        .command('push <source> <reference>')
        .description(
          'push an image or index (oci:DIR[:TAG], docker-archive:FILE[:NAME]) to a registry reference HOST/REPO[:TAG]',
        )
        .option('--jobs <n>', 'blobs uploaded at once', '4')
        .option(
          '--mount-from <repo>',
          'a repository on the same registry to mount shared blobs from; repeatable',
          collect,
        )
        .option('--json', 'print the result as JSON')
        .option('-q, --quiet', 'no progress on stderr (errors still go there)'),
    ),
    'its SPDX SBOM',
  ).action(async (source: string, reference: string, o: Flags) => {
    const out = consoleOutput(Boolean(o.json));
    const jobs = Number(o.jobs ?? 4);
    if (!Number.isInteger(jobs) || jobs < 1 || jobs > 64)
      throw new UsageError(`--jobs takes 1..64, got ${o.jobs}`);
    const dst = parseReference(reference.replace(/^docker:\/\//, ''));
    const src = parseImageRef(source);
    const signer = await signerFor({ ...o, push: reference }, 'image');
    const artifact = await openSource(src);
    // Copying within one registry: its blobs can be mounted from the source repository.
    const mountFrom = [...(o.mountFrom ?? [])];
    if (src.transport === 'docker') {
      const s = parseReference(src.reference);
      if (s.registry === dst.registry && s.repository !== dst.repository) mountFrom.push(s.repository);
    }
    const r = await pushArtifact(artifact, dst, {
      ...registryOptions(o, out.warn),
      jobs,
      mountFrom,
    });
    const signed = signer
      ? await signOutputs(
          signer,
          artifact,
          { ...o, push: reference },
          { push: r, digest: r.digest, mediaType: r.mediaType },
          'image',
          out,
        )
      : undefined;
    out.result(signed ? { ...r, signed } : r);
    out.info(r.reference);
    out.info(
      `  ${r.blobs.uploaded} blobs uploaded (${r.blobs.uploadedBytes} bytes), ${r.blobs.mounted} mounted, ${r.blobs.existing} already there; ${r.manifests.pushed} manifests pushed`,
    );
  });
}
