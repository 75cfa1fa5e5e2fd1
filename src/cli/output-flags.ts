/**
 * The outputs every image-producing command shares (DESIGN.md "Outputs"): --output DIR (OCI
 * layout), --archive FILE (docker-archive), --push REF (registry), --load (the Docker engine),
 * --tag NAME. Flags become references; each is written by its transport (src/transports/), which
 * writes aside and renames into place, so a failure leaves nothing half-written.
 */

import type { Command } from 'commander';
import type { Artifact } from '../oci/index.ts';
import type { PushResult } from '../registry/index.ts';
import { type ImageRef, type SinkResult, writeSink } from '../transports/index.ts';
import type { Output } from './console-output.ts';
import { addRegistryFlags, type RegistryFlags, registryOptions } from './registry-flags.ts';

export { writeLayoutChecked } from '../transports/index.ts';

export interface OutputOptions extends RegistryFlags {
  output?: string;
  archive?: string;
  tag?: string;
  push?: string;
  /** Load into the Docker engine (`distill build --load`). */
  load?: boolean;
}

export interface OutputResult extends SinkResult {
  push?: PushResult;
  digest: string;
  mediaType: string;
}

/** Adds --output, --archive, --push, --tag (and --insecure-registry) to a command. */
export function addOutputFlags(cmd: Command): Command {
  return addRegistryFlags(cmd)
    .option(
      '--push <ref>',
      'push to a registry: HOST/REPO[:TAG] (credentials from docker login / distill login)',
    )
    .option('-o, --output <dir>', 'write an OCI image layout to DIR (the default, under ./distill-out/NAME)')
    .option(
      '--archive <file>',
      'write a docker-archive tar (for `docker load`); `-` writes it to stdout (`| docker load`), a fifo is written as a stream',
    )
    .option('-t, --tag <name>', 'the tag: ref name in the layout, RepoTags in the archive');
}

/**
 * The references the flags name, in the order they are written: files first, then the engine,
 * and a registry push last (the one output others may see at once). With none asked for, the
 * layout under ./distill-out/NAME.
 */
export function outputRefs(o: OutputOptions, defaultName: string): ImageRef[] {
  const refs: ImageRef[] = [];
  const layoutDir = o.output ?? (o.archive || o.push || o.load ? undefined : `distill-out/${defaultName}`);
  if (layoutDir) refs.push({ transport: 'oci', dir: layoutDir, tag: o.tag ?? 'latest' });
  if (o.archive)
    refs.push({ transport: 'docker-archive', file: o.archive, ...(o.tag ? { tag: o.tag } : {}) });
  if (o.load) refs.push({ transport: 'docker-daemon', name: o.tag ?? `${defaultName}:latest` });
  if (o.push) refs.push({ transport: 'docker', reference: o.push.replace(/^docker:\/\//, '') });
  return refs;
}

/** Writes `artifact` to every output the flags ask for. */
export async function writeOutputs(
  artifact: Artifact,
  o: OutputOptions,
  defaultName: string,
  out?: Output,
): Promise<OutputResult> {
  const result: OutputResult = {
    digest: artifact.descriptor.digest,
    mediaType: artifact.descriptor.mediaType,
  };
  for (const ref of outputRefs(o, defaultName)) {
    const r = await writeSink(artifact, ref, {
      defaultName,
      ...(ref.transport === 'docker' ? { registry: registryOptions(o, out?.warn ?? warnOnly) } : {}),
    });
    Object.assign(result, r);
    if (r.push) out?.info(`pushed ${r.push.reference}`);
  }
  return result;
}

const warnOnly = (l: string) => process.stderr.write(`${l}\n`);
