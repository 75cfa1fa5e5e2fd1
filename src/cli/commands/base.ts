/** `distill base NAME[:VARIANT]`: the distroless base catalogue, built from signed Debian packages. */
import { basename } from 'node:path';
import type { Command } from 'commander';
import { buildCatalogueImage } from '../../assemble/index.ts';
import {
  CatalogueError,
  catalogue,
  checkArches,
  DEBUG_BUSYBOX,
  imageArches,
  lookup,
  NODE_IMAGE_MAJORS,
  parseArch,
  RELEASE_ARCHES,
  type RuntimeSpec,
  VARIANTS,
} from '../../catalogue/index.ts';
import { openArchiveContext, parseDebianRelease } from '../../debian/index.ts';
import { lockChanged, readBaseLock, writeBaseLock } from '../../lock/index.ts';
import { discoverNpmConfig, nodeConfigSources, nodeMajorStatus } from '../../npm/index.ts';
import { sourceDateEpoch } from '../../platform/index.ts';
import { consoleOutput, type Output } from '../console-output.ts';
import { UsageError } from '../errors.ts';
import { type CompressionChoice, compressionOption } from '../options.ts';
import { addOutputFlags, type OutputOptions, writeOutputs } from '../output-flags.ts';
import { catalogueProgress, createProgress, showing } from '../progress.ts';
import { addSbomFlag, type SbomFlag, sbomPlace, writeSboms } from '../sbom-output.ts';
import { addSignFlags, type SignFlags, signerFor, signOutputs } from '../sign-output.ts';

interface BaseFlags extends OutputOptions, SbomFlag, SignFlags {
  debian: string;
  arch: string;
  list?: boolean;
  slim?: boolean;
  compression: CompressionChoice;
  lock?: string;
  relock?: boolean;
  mirror?: string;
  securityMirror?: string;
  json?: boolean;
  quiet?: boolean;
}

export function register(program: Command): void {
  const cmd = program
    .command('base [name]')
    .description('build a distroless base image: NAME[:latest|nonroot|debug|debug-nonroot]')
    .option('--debian <13|12>', 'Debian release (13 = trixie, 12 = bookworm)', '13')
    .option(
      '--arch <list>',
      `architectures, comma-separated (several give an OCI index): ${RELEASE_ARCHES[13].join(', ')} (arm/v7, ppc64le accepted)`,
      'amd64',
    )
    .option(
      '--slim',
      'leave out docs, man pages, changelogs, lintian overrides, translations (copyrights stay), opt-in JVM CDS archives, bin/node symbols',
    )
    .addOption(
      compressionOption(
        'layer compression (gzip 1–9, default 6; zstd 1–19, default 3: smaller, needs Docker 23+ / containerd 1.5+ to pull)',
      ),
    )
    .option('--lock <file>', 'build exactly what FILE pins; resolve and write it when it does not exist')
    .option('--relock', 'with --lock: resolve again and rewrite the lock')
    .option('--list', 'print the catalogue: names, releases, arches, variants, runtimes')
    .option('--mirror <url>', 'Debian archive (default: DISTILL_DEBIAN_MIRROR, the config, then apt sources)')
    .option('--security-mirror <url>', 'Debian security archive')
    .option('--json', 'print the result as JSON')
    .option('-q, --quiet', 'no progress on stderr (warnings and errors still go there)');
  addSignFlags(addSbomFlag(addOutputFlags(cmd))).action(async (name: string | undefined, o: BaseFlags) => {
    const out = consoleOutput(Boolean(o.json));
    const progress = createProgress(process.stderr, { enabled: !o.json && !o.quiet, env: process.env });
    if (o.list) return list(out);
    if (!name)
      throw new UsageError('name a base image (e.g. `distill base python3:nonroot`), or pass --list');
    const arches = o.arch.split(',').map((a) => {
      try {
        return parseArch(a);
      } catch (e) {
        if (e instanceof CatalogueError) throw new UsageError(`--arch: ${e.message}`);
        throw e;
      }
    });
    const started = Date.now();
    const debian = parseDebianRelease(o.debian);
    // Refused before anything is fetched or written: e.g. nodejs22 for s390x.
    checkArches(lookup(name, debian).spec, arches);
    const name0 = name.split(':')[0] as string;
    const outName = `${name0}-${name.split(':')[1] ?? 'latest'}`;
    const sbomAt = sbomPlace(o, outName);
    const inputs = { image: name0, debian, architectures: arches };
    const signer = await signerFor(o, outName);
    const lock = o.lock && !o.relock ? await readBaseLock(o.lock, inputs) : undefined;
    // The status line is cleared however this ends: an error is then printed on a line of its own.
    const { b, res } = await showing(progress, async () => {
      const context = await openArchiveContext({
        debian,
        env: process.env,
        flag: o.mirror,
        securityFlag: o.securityMirror,
        indexes: !lock,
        onEvent: progress.index,
      });
      const b = await buildCatalogueImage({
        ref: name,
        arches,
        context,
        epoch: sourceDateEpoch(process.env),
        slim: Boolean(o.slim),
        ...o.compression,
        ...(lock ? { lock } : {}),
        npm: () => discoverNpmConfig(nodeConfigSources()),
        onEvent: catalogueProgress(progress),
      });
      progress.step('writing outputs');
      return { b, res: await writeOutputs(b.artifact, o, `${b.spec.name}-${b.variant}`, out) };
    });
    if (o.lock && !lock) {
      // A relock that found the same files behind re-signed indexes keeps the lock (no churn).
      const previous = o.relock ? await readBaseLock(o.lock, inputs).catch(() => undefined) : undefined;
      if (previous && !lockChanged(previous, b.lock)) out.info(`lock ${o.lock} is current`);
      else {
        await writeBaseLock(o.lock, b.lock);
        out.info(`wrote lock ${o.lock}`);
      }
    }
    const layers = b.layers.map((ls, i) => ({
      arch: b.plans[i]?.arch,
      layers: ls.map((l, j) => ({
        kind: b.kinds[i]?.[j] ?? 'debug',
        digest: l.descriptor.digest,
        size: l.descriptor.size,
        uncompressedSize: l.uncompressedSize,
        cached: l.cached,
        ...(l.slimSavedBytes !== undefined ? { slimSavedBytes: l.slimSavedBytes } : {}),
      })),
    }));
    const saved = layers.flatMap((a) => a.layers).reduce((n, l) => n + (l.slimSavedBytes ?? 0), 0);
    out.info(
      `${b.artifact.descriptor.digest}  distill/${b.spec.name}:${b.variant} debian${b.spec.debian} ${arches.join(',')}${b.runtimeVersion ? ` (${b.runtimeVersion})` : ''}`,
    );
    for (const a of layers) {
      const total = a.layers.reduce((n, l) => n + l.size, 0);
      out.info(
        `  ${a.arch}: ${a.layers.map((l) => `${l.kind} ${(l.size / 1e6).toFixed(1)}MB${l.cached ? ' (cached)' : ''}`).join(', ')}; ${(total / 1e6).toFixed(1)} MB compressed`,
      );
    }
    if (o.slim)
      out.info(
        `  --slim saved ${(saved / 1e6).toFixed(1)} MB (uncompressed): docs, man pages, changelogs, translations, opt-in JVM CDS archives, bin/node symbols`,
      );
    if (res.layout) out.info(`wrote OCI layout ${res.layout.path} (tag ${res.layout.tag})`);
    if (res.archive) out.info(`wrote docker archive ${res.archive.path} (${res.archive.tags.join(', ')})`);
    const sbom = sbomAt
      ? await writeSboms(b.artifact, sbomAt, o.tag ?? `distill/${b.spec.name}:${b.variant}`, out)
      : undefined;
    const signed = signer
      ? await signOutputs(signer, b.artifact, o, res, `${b.spec.name}-${b.variant}`, out, {
          lock: b.lock,
          ...(o.lock ? { lockName: basename(o.lock) } : {}),
          epoch: sourceDateEpoch(process.env),
        })
      : undefined;
    out.result({
      ...res,
      ...(sbom ? { sbom } : {}),
      ...(signed ? { signed } : {}),
      name: b.spec.name,
      variant: b.variant,
      debian: b.spec.debian,
      runtimeVersion: b.runtimeVersion,
      ...(o.slim ? { slimSavedBytes: saved } : {}),
      platforms: layers,
      excluded: b.plans[0]?.excluded.map((x) => ({ name: x.name, reason: x.reason })),
      elapsedMs: Date.now() - started,
    });
  });
}

function list(out: Output): void {
  const today = new Date().toISOString().slice(0, 10);
  const rows = ([13, 12] as const).flatMap((d) =>
    catalogue(parseDebianRelease(d)).map((s) => {
      const major = s.runtime?.kind === 'node' ? s.runtime.major : undefined;
      const status = major ? nodeMajorStatus(major, today) : undefined;
      return {
        name: s.name,
        debian: d,
        arches: imageArches(s),
        variants: VARIANTS,
        runtime: s.runtime ?? null,
        summary: s.summary,
        ...(status?.warning ? { warning: status.warning } : {}),
      };
    }),
  );
  out.result({ images: rows, nodeMajors: NODE_IMAGE_MAJORS, debugBusybox: DEBUG_BUSYBOX });
  for (const d of [13, 12]) {
    out.info(
      `debian${d} (${d === 13 ? 'trixie' : 'bookworm'}), arches ${RELEASE_ARCHES[d as 13 | 12].join(', ')} (nodejsNN: amd64, arm64), variants ${VARIANTS.join(', ')}:`,
    );
    for (const r of rows.filter((x) => x.debian === d)) {
      out.info(
        `  ${r.name.padEnd(11)} ${runtimeText(r.runtime).padEnd(13)} ${r.summary}${r.warning ? `  [${r.warning}]` : ''}`,
      );
    }
  }
  const b = DEBUG_BUSYBOX;
  out.info(
    `debug variants: Debian's ${b.package} (${b.applets} applets; distroless has ${b.distrolessApplets}); missing: ${b.missing.join(' ')}`,
  );
}

/** The runtime line of --list: the release line the catalogue pins (the exact version is resolved at build time and locked). */
function runtimeText(rt: RuntimeSpec | null): string {
  if (!rt) return '-';
  if (rt.kind === 'python') return `Python ${rt.version}`;
  if (rt.kind === 'node') return `Node.js ${rt.major}.x`;
  return `OpenJDK ${rt.version}`;
}
