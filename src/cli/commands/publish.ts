/**
 * `distill publish --registry HOST/PREFIX`: the catalogue (or `--images`, `--debian`, `--arch`,
 * `--variants`) built and pushed as distroless tags it; `--shard N/M` for one machine of M.
 */
import type { Command } from 'commander';
import { openArchiveContext } from '../../debian/index.ts';
import { discoverNpmConfig, nodeConfigSources } from '../../npm/index.ts';
import { sourceDateEpoch } from '../../platform/index.ts';
import { type PushedArtifact, parseShard, publish } from '../../publish/index.ts';
import type { RegistryClientOptions } from '../../registry/index.ts';
import { attestImage, registryStoreOf, type Signer, signImage } from '../../sign/index.ts';
import { consoleOutput } from '../console-output.ts';
import { UsageError } from '../errors.ts';
import { type CompressionChoice, compressionOption } from '../options.ts';
import { catalogueProgress, createProgress, showing } from '../progress.ts';
import { addRegistryFlags, type RegistryFlags, registryOptions } from '../registry-flags.ts';
import { loadSigner, statementFor } from '../signing.ts';

interface Flags extends RegistryFlags {
  registry?: string;
  images?: string;
  debian: string;
  arch: string;
  variants?: string;
  shard?: string;
  shardTimeout: string;
  stamp?: string | false;
  aliases: boolean;
  jobs: string;
  slim?: boolean;
  compression: CompressionChoice;
  mirror?: string;
  securityMirror?: string;
  json?: boolean;
  verbose?: boolean;
  key?: string;
  attest: boolean;
}

/**
 * The publish hook that signs each pushed digest as cosign does and attests its SPDX SBOM and,
 * for images (their build's lock), SLSA provenance v1. Unchanged tags are not signed again.
 */
function signPushed(
  signer: Signer,
  client: RegistryClientOptions,
  attest: boolean,
  epoch: number,
  say: (line: string) => void,
): (p: PushedArtifact) => Promise<void> {
  return async (p) => {
    const d = p.artifact.descriptor;
    const store = {
      ...registryStoreOf(p.reference, { mediaType: d.mediaType, digest: d.digest, size: d.size }, client),
      artifact: p.artifact,
    };
    const sig = await signImage(store, signer);
    say(`signed    ${p.reference} → ${sig.location}`);
    if (!attest) return;
    for (const type of p.lock ? ['spdxjson', 'slsaprovenance1'] : ['spdxjson']) {
      const { statement, predicateType } = await statementFor(type, store, {
        ...(p.lock ? { lock: p.lock, lockName: `${p.image}.lock` } : {}),
        ...(p.arch ? { platform: `linux/${p.arch}` } : {}),
        epoch,
      });
      const r = await attestImage(store, signer, statement, predicateType);
      say(`attested  ${p.reference} (${type}) → ${r.location}`);
    }
  };
}

const list = (s: string | undefined) =>
  s
    ?.split(',')
    .map((x) => x.trim())
    .filter(Boolean);

/** Today's UTC date as YYYYMMDD: the default stamp tag. */
export function dateStamp(now: number = Date.now()): string {
  return new Date(now).toISOString().slice(0, 10).replaceAll('-', '');
}

/**
 * The stamp when `--stamp` is not given: today's UTC date — but shards must all tag the same
 * stamp (an index owner waits for the others' stamped per-arch tags), and machines that start on
 * both sides of midnight see two dates. A sharded publish takes the date of SOURCE_DATE_EPOCH
 * (which a CI run shares between its jobs), or asks for a stamp.
 */
export function defaultStamp(sharded: boolean, env: NodeJS.ProcessEnv, now: number = Date.now()): string {
  if (!sharded) return dateStamp(now);
  if (env.SOURCE_DATE_EPOCH) return dateStamp(sourceDateEpoch(env) * 1000);
  throw new UsageError(
    "--shard needs --stamp TEXT (the CI run's id, say), SOURCE_DATE_EPOCH or --no-stamp: every shard must tag the same stamp, and today's date differs between shards that start on both sides of midnight",
  );
}

function positive(flag: string, v: string, max: number): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > max) throw new UsageError(`${flag} takes 1..${max}, got ${v}`);
  return n;
}

export function register(program: Command): void {
  const cmd = program
    .command('publish')
    .description(
      'build the catalogue and push it as distroless tags it: NAME:latest|nonroot|debug|debug-nonroot (multi-arch), VARIANT-ARCH, VARIANT[-ARCH]-STAMP; only changed tags are pushed',
    )
    .option(
      '--registry <host/prefix>',
      'where: HOST/PREFIX/NAME-debianN (and HOST/PREFIX/NAME for debian 13)',
    )
    .option('--images <list>', 'only these images, comma-separated (default: the whole catalogue)')
    .option('--debian <list>', 'Debian releases, comma-separated (13, 12)', '13')
    .option('--arch <list>', 'architectures, comma-separated', 'amd64,arm64')
    .option('--variants <list>', 'variants, comma-separated (default: latest,nonroot,debug,debug-nonroot)')
    .option(
      '--shard <N/M>',
      'this machine is shard N of M: it builds its slice of image×variant×arch and assembles the indexes it owns',
    )
    .option('--shard-timeout <seconds>', 'how long an index owner waits for other shards', '1800')
    .option('--stamp <text>', "the extra tag suffix (default: today's UTC date, YYYYMMDD)")
    .option('--no-stamp', 'no stamped tags')
    .option(
      '--no-aliases',
      'no unsuffixed debian 13 repositories (PREFIX/static besides PREFIX/static-debian13)',
    )
    .option('--jobs <n>', 'tags pushed at once (blobs at once within each)', '4')
    .option('--slim', 'leave out docs, man pages, changelogs, translations (copyrights stay)')
    .addOption(compressionOption('layer compression (zstd needs Docker 23+ / containerd 1.5+ to pull)'))
    .option('--mirror <url>', 'Debian archive (default: DISTILL_DEBIAN_MIRROR, the config, then apt sources)')
    .option('--security-mirror <url>', 'Debian security archive')
    .option('-v, --verbose', 'a line for every tag, unchanged ones too')
    .option('--json', 'print the summary as JSON (every tag: pushed or unchanged, with its digest)')
    .option('-q, --quiet', 'no progress on stderr (errors still go there)')
    .option(
      '--key <file>',
      'sign every pushed image and index as cosign does, and attest its SPDX SBOM and SLSA provenance (cosign.key; password from $COSIGN_PASSWORD)',
    )
    .option('--no-attest', 'with --key: sign only');
  addRegistryFlags(cmd).action(async (o: Flags) => {
    const out = consoleOutput(Boolean(o.json));
    if (!o.registry)
      throw new UsageError('--registry HOST/PREFIX is required (e.g. registry.example/distroless)');
    const shard = o.shard ? parseShard(o.shard) : undefined;
    const jobs = positive('--jobs', o.jobs, 64);
    const waitTimeoutMs = positive('--shard-timeout', o.shardTimeout, 86_400) * 1000;
    // The key is opened before anything is built: a wrong password costs nothing.
    const signer = o.key ? await loadSigner(o.key) : undefined;
    if (!o.key && !o.attest) throw new UsageError('--no-attest is for --key');
    const stamp = o.stamp === false ? undefined : (o.stamp ?? defaultStamp(Boolean(shard), process.env));
    const progress = createProgress(process.stderr, { enabled: !o.json && !o.quiet, env: process.env });
    const started = Date.now();
    const client = registryOptions({ ...o, quiet: true }, out.warn);
    const say = (line: string) => {
      if (!o.quiet && !o.json) progress.print(line);
    };
    const epoch = sourceDateEpoch(process.env);
    const r = await showing(progress, () =>
      publish({
        registry: o.registry as string,
        ...(list(o.images) ? { images: list(o.images) } : {}),
        debian: list(o.debian) ?? [],
        arches: list(o.arch) ?? [],
        ...(list(o.variants) ? { variants: list(o.variants) } : {}),
        ...(shard ? { shard } : {}),
        ...(stamp !== undefined ? { stamp } : {}),
        aliases: o.aliases,
        jobs,
        waitTimeoutMs,
        slim: Boolean(o.slim),
        compression: o.compression.compression,
        ...(o.compression.level !== undefined ? { level: o.compression.level } : {}),
        epoch,
        client,
        ...(signer ? { onPushed: signPushed(signer, client, o.attest, epoch, say) } : {}),
        archive: (debian) =>
          openArchiveContext({
            debian,
            env: process.env,
            flag: o.mirror,
            securityFlag: o.securityMirror,
            onEvent: progress.index,
          }),
        npm: () => discoverNpmConfig(nodeConfigSources()),
        onEvent: (e) => {
          if (e.type === 'catalogue') catalogueProgress(progress)(e.event);
          else if (e.type === 'build')
            progress.step(`building ${e.image} debian${e.debian} ${e.arch} (${e.variants.join(', ')})`);
          else if (e.type === 'waiting') say(`waiting for ${e.reference} (another shard builds it)`);
          else if (e.outcome.status === 'pushed' || o.verbose)
            say(`${e.outcome.status.padEnd(9)} ${e.outcome.reference}  ${e.outcome.digest}`);
        },
      }),
    );
    out.result({ ...r, elapsedMs: Date.now() - started });
    out.info(
      `${r.pushed} tags pushed, ${r.unchanged} unchanged (shard ${r.shard}: ${r.units} images, ${r.indexes} indexes); blobs: ${r.blobs.uploaded} uploaded (${(r.blobs.uploadedBytes / 1e6).toFixed(1)} MB), ${r.blobs.mounted} mounted, ${r.blobs.existing} already there`,
    );
  });
}
