/** `distill push SRC REF`: an oci:/docker-archive: image or index to a registry; prints the digest. */
import type { Command } from 'commander';
import type { Artifact } from '../../oci/index.ts';
import {
  describeEvent,
  nodeRegistryOptions,
  type PushResult,
  parseReference,
  pushArtifact,
  type RegistryClientOptions,
} from '../../registry/index.ts';
import { UsageError } from '../errors.ts';
import { openSource, parseImageRef } from '../image-ref.ts';
import { collect } from '../options.ts';
import { consoleOutput, type Output } from '../output.ts';
import { addRegistryFlags, type RegistryFlags } from '../registry-flags.ts';

export { addRegistryFlags, type RegistryFlags } from '../registry-flags.ts';

/** The client options for the real machine: docker's credentials, the insecure hosts asked for. */
export function registryOptions(
  f: RegistryFlags,
  warn: (line: string) => void,
  env: Record<string, string | undefined> = process.env,
): RegistryClientOptions {
  const fromEnv = (env.DISTILL_INSECURE_REGISTRIES ?? '').split(/[\s,]+/).filter(Boolean);
  return {
    ...nodeRegistryOptions({ insecureRegistries: [...fromEnv, ...(f.insecureRegistry ?? [])], env }),
    onEvent: (e) => {
      const line = describeEvent(e);
      if (line && !f.quiet) warn(line);
    },
  };
}

/**
 * What `--push REF` on an image-producing command does: push with the user's credentials, report
 * progress on stderr, print the pushed reference. Call `addRegistryFlags(cmd)` for the flags.
 * @example
 *   if (o.push) result.push = await pushTo(image, o.push, o, out);
 */
export async function pushTo(
  artifact: Artifact,
  ref: string,
  flags: RegistryFlags,
  out: Output,
): Promise<PushResult> {
  const r = await pushArtifact(artifact, ref.replace(/^docker:\/\//, ''), registryOptions(flags, out.warn));
  out.info(`pushed ${r.reference}`);
  return r;
}

interface Flags extends RegistryFlags {
  json?: boolean;
  jobs?: string;
  mountFrom?: string[];
}

export function register(program: Command): void {
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
  ).action(async (source: string, reference: string, o: Flags) => {
    const out = consoleOutput(Boolean(o.json));
    const jobs = Number(o.jobs ?? 4);
    if (!Number.isInteger(jobs) || jobs < 1 || jobs > 64)
      throw new UsageError(`--jobs takes 1..64, got ${o.jobs}`);
    const dst = parseReference(reference.replace(/^docker:\/\//, ''));
    const src = parseImageRef(source);
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
    out.result(r);
    out.info(r.reference);
    out.info(
      `  ${r.blobs.uploaded} blobs uploaded (${r.blobs.uploadedBytes} bytes), ${r.blobs.mounted} mounted, ${r.blobs.existing} already there; ${r.manifests.pushed} manifests pushed`,
    );
  });
}
