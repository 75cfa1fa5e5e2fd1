/**
 * The outputs every image-producing command shares (DESIGN.md "Outputs"): --output DIR (OCI
 * layout), --archive FILE (docker-archive), --tag NAME. Each output is written aside and
 * renamed into place by its sink, so a failure leaves nothing half-written.
 */

import { resolve } from 'node:path';
import type { Command } from 'commander';
import { openFileHashes } from '../files/index.ts';
import type { Artifact } from '../oci/index.ts';
import { type LayoutEntry, writeLayout } from '../oci/layout/index.ts';
import { cacheRoot } from '../platform/cache.ts';
import type { PushResult } from '../registry/index.ts';
import type { Output } from './output.ts';
import { addRegistryFlags, type RegistryFlags } from './registry-flags.ts';

export interface OutputOptions extends RegistryFlags {
  output?: string;
  archive?: string;
  tag?: string;
  push?: string;
}

export interface OutputResult {
  /** Where each output went, by kind. */
  layout?: { path: string; tag: string };
  archive?: { path: string; tags: string[] };
  push?: PushResult;
  digest: string;
  mediaType: string;
}

/**
 * writeLayout with the blobs' hashes remembered in distill's cache: a blob already in the layout
 * is trusted only when its content was hashed (now, or before with the same stat stamp).
 */
export async function writeLayoutChecked(dir: string, entries: readonly LayoutEntry[]): Promise<void> {
  const hashes = await openFileHashes(cacheRoot(process.env), `layout:${resolve(dir)}`);
  await writeLayout(dir, entries, { hashes });
  await hashes.save().catch(() => {}); // a memo not written costs one re-read next time
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

/** Writes `artifact` to every output asked for; the layout under `defaultDir` when none is. */
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
  const layoutDir = o.output ?? (o.archive || o.push ? undefined : `distill-out/${defaultName}`);
  if (layoutDir) {
    const ref = refName(o.tag ?? 'latest');
    await writeLayoutChecked(layoutDir, [{ artifact, tag: ref }]);
    result.layout = { path: layoutDir, tag: ref };
  }
  if (o.archive) {
    const repoTag = archiveTag(o.tag, defaultName);
    // Loaded only when asked for: every module loaded costs start-up time.
    const { writeDockerArchive } = await import('../oci/archive/index.ts');
    await writeDockerArchive(o.archive === '-' ? process.stdout : o.archive, [{ artifact, tags: [repoTag] }]);
    result.archive = { path: o.archive, tags: [repoTag] };
  }
  // Last: a registry push is the one output others may see at once.
  if (o.push) {
    const { pushTo } = await import('./commands/push.ts');
    result.push = await pushTo(artifact, o.push, o, out ?? silent);
  }
  return result;
}

const silent: Output = {
  json: true,
  info: () => {},
  warn: (l) => process.stderr.write(`${l}\n`),
  result: () => {},
};

/** The layout ref name is the tag as given (`latest`, `1.0`, `app:1.0`), so `oci:DIR:TAG` finds it. */
function refName(tag: string): string {
  return tag;
}

/** docker's RepoTags need repo:tag: `app` → `app:latest`; no tag → `<name>:latest`. */
function archiveTag(tag: string | undefined, name: string): string {
  if (!tag) return `${name}:latest`;
  const i = tag.lastIndexOf(':');
  return i > tag.lastIndexOf('/') && i > 0 ? tag : `${tag}:latest`;
}
