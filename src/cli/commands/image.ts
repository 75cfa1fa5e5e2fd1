/** `distill image from-dir ROOTFS`: an image from a directory, like `docker import` but reproducible. */
import { mkdir, rm } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import type { Command } from 'commander';
import { holdTemp, sweepTemps, tempPath } from '../../files/index.ts';
import {
  applyConfigChanges,
  createImage,
  dirEntries,
  emptyConfig,
  mergeEnv,
  parsePlatform,
  writeLayer,
} from '../../oci/index.ts';
import { cacheRoot, sourceDateEpoch } from '../../platform/index.ts';
import { consoleOutput } from '../console-output.ts';
import {
  type CompressionChoice,
  collect,
  compressionOption,
  keyValues,
  parseArgv,
  parseKeyValue,
  parseUser,
} from '../options.ts';
import { addOutputFlags, type OutputOptions, writeOutputs } from '../output-flags.ts';

interface FromDirOptions extends OutputOptions {
  entrypoint?: string[];
  cmd?: string[];
  env?: string[];
  label?: string[];
  user?: string;
  workdir?: string;
  platform: string;
  preserveOwner?: boolean;
  skipSpecial?: boolean;
  compression: CompressionChoice;
  json?: boolean;
}

const DEFAULT_PATH = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export function register(program: Command): void {
  const image = program.command('image').description('make images from directories');
  const fromDir = image
    .command('from-dir <rootfs>')
    .description('an image of one layer holding ROOTFS (ownership 0:0, times from SOURCE_DATE_EPOCH)')
    .option('--entrypoint <json>', 'entrypoint as a JSON array, e.g. \'["/busybox/sh"]\'', (v) =>
      parseArgv('--entrypoint', v),
    )
    .option('--cmd <json>', 'cmd as a JSON array', (v) => parseArgv('--cmd', v))
    .option('--env <KEY=VALUE>', 'environment variable (repeatable)', (v, p: string[]) =>
      collect(parseKeyValue('--env', v), p),
    )
    .option('--label <KEY=VALUE>', 'config label (repeatable)', collect)
    .option('--user <uid[:gid]>', 'user the container runs as', parseUser)
    .option('--workdir <dir>', 'working directory')
    .option('--platform <os/arch[/variant]>', 'platform of the image', 'linux/amd64')
    .option('--preserve-owner', "keep the files' uid/gid instead of 0:0")
    .option('--skip-special', 'leave out fifos, sockets and device nodes with a warning instead of failing')
    .addOption(compressionOption('layer compression (gzip 1–9, default 6; zstd 1–19, default 3)'))
    .option('--json', 'print the result as JSON');
  addOutputFlags(fromDir).action(async (rootfs: string, o: FromDirOptions) => {
    const out = consoleOutput(Boolean(o.json));
    const platform = parsePlatform(o.platform);
    const epoch = sourceDateEpoch(process.env);
    const entries = await dirEntries(rootfs, {
      preserveOwner: Boolean(o.preserveOwner),
      skipSpecial: Boolean(o.skipSpecial),
      onSkip: (p, why) => out.warn(`warning: skipped ${p} (${why})`),
    });
    // The layer is of this one tree: nothing will ever reuse it, so it is written to a scratch
    // folder (removed at the end, on a signal, or by the next run's sweep), never into the cache.
    const scratchRoot = join(cacheRoot(process.env), 'tmp');
    await mkdir(scratchRoot, { recursive: true });
    await sweepTemps(scratchRoot, '');
    const scratch = tempPath(scratchRoot);
    const release = holdTemp(scratch);
    try {
      await fromDirInto(scratch, rootfs, entries, o, epoch, platform, out);
    } finally {
      await rm(scratch, { recursive: true, force: true });
      release();
    }
  });
}

async function fromDirInto(
  scratch: string,
  rootfs: string,
  entries: Awaited<ReturnType<typeof dirEntries>>,
  o: FromDirOptions,
  epoch: number,
  platform: ReturnType<typeof parsePlatform>,
  out: ReturnType<typeof consoleOutput>,
): Promise<void> {
  const layer = await writeLayer(entries, { dir: scratch, ...o.compression, mtime: epoch });
  const base = emptyConfig(platform, epoch);
  const img = createImage({
    config: {
      ...base,
      config: applyConfigChanges(base.config, {
        env: mergeEnv([DEFAULT_PATH], o.env ?? []),
        ...(o.entrypoint ? { entrypoint: o.entrypoint } : {}),
        ...(o.cmd ? { cmd: o.cmd } : {}),
        ...(o.user ? { user: o.user } : {}),
        ...(o.workdir ? { workdir: o.workdir } : {}),
        labels: keyValues('--label', o.label),
      }),
      history: [{ created: base.created, created_by: `distill image from-dir ${basename(resolve(rootfs))}` }],
    },
    layers: [layer],
    annotations: { 'org.opencontainers.image.created': base.created as string },
  });
  const res = await writeOutputs(img, o, basename(resolve(rootfs)), out);
  out.info(`${img.descriptor.digest}`);
  if (res.layout) out.info(`wrote OCI layout ${res.layout.path} (tag ${res.layout.tag})`);
  if (res.archive) out.info(`wrote docker archive ${res.archive.path} (${res.archive.tags.join(', ')})`);
  out.result({
    ...res,
    layers: [
      {
        digest: layer.descriptor.digest,
        size: layer.descriptor.size,
        diffId: layer.diffId,
        uncompressedSize: layer.uncompressedSize,
        entries: layer.entries,
      },
    ],
  });
}
