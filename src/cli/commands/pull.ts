/** `distill pull REF --output DIR`: a registry image (or one platform of an index) into an OCI layout. */
import type { Command } from 'commander';
import { parsePlatform } from '../../oci/index.ts';
import { parseReference, pullArtifact } from '../../registry/index.ts';
import { writeLayoutChecked } from '../../transports/index.ts';
import { consoleOutput } from '../console-output.ts';
import { addRegistryFlags, type RegistryFlags, registryOptions } from '../registry-flags.ts';

interface Flags extends RegistryFlags {
  json?: boolean;
  output: string;
  platform?: string;
  tag?: string;
}

export function register(program: Command): void {
  addRegistryFlags(
    program
      .command('pull <reference>')
      .description('pull HOST/REPO[:TAG|@DIGEST] into an OCI image layout; every digest is verified')
      .requiredOption('-o, --output <dir>', 'the OCI image layout to write (created, or added to)')
      .option('--platform <os/arch[/variant]>', 'from a multi-platform index, only this platform')
      .option('-t, --tag <name>', 'the ref name in the layout (default: the reference tag, else latest)')
      .option('--json', 'print the result as JSON')
      .option('-q, --quiet', 'no progress on stderr (errors still go there)'),
  ).action(async (reference: string, o: Flags) => {
    const out = consoleOutput(Boolean(o.json));
    const ref = parseReference(reference);
    const platform = o.platform ? parsePlatform(o.platform) : undefined;
    const artifact = await pullArtifact(ref, {
      ...registryOptions(o, out.warn),
      ...(platform ? { platform } : {}),
    });
    const tag = o.tag ?? ref.tag ?? 'latest';
    await writeLayoutChecked(o.output, [{ artifact, tag }]);
    const r = {
      reference: `${ref.registry}/${ref.repository}${ref.tag ? `:${ref.tag}` : ''}@${artifact.descriptor.digest}`,
      digest: artifact.descriptor.digest,
      mediaType: artifact.descriptor.mediaType,
      kind: artifact.kind,
      layout: { path: o.output, tag },
    };
    out.result(r);
    out.info(`${r.reference}`);
    out.info(`  written to oci:${o.output}:${tag}`);
  });
}
