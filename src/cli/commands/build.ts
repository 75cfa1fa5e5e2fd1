import { basename, resolve } from 'node:path';
import type { Command } from 'commander';
import type { AppConfig } from '../../app/index.ts';
import { type AppBuild, type AppBuildOptions, buildApp, normalisePort } from '../../app/index.ts';
import { writeAppLock } from '../../lock/index.ts';
import { cacheRoot, openCache, sourceDateEpoch } from '../../platform/index.ts';
import { consoleOutput, type Output } from '../console-output.ts';
import { UsageError } from '../errors.ts';
import { type CompressionChoice, collect, compressionOption, keyValues, parseArgv } from '../options.ts';
import { addOutputFlags, type OutputOptions, writeOutputs } from '../output-flags.ts';
import { catalogueProgress, createProgress, type Progress, showing } from '../progress.ts';
import { addSbomFlag, type SbomFlag, sbomPlace, writeSboms } from '../sbom-output.ts';
import { addSignFlags, type SignFlags, signerFor, signOutputs } from '../sign-output.ts';

export interface BuildFlags extends OutputOptions {
  quiet?: boolean;
  arch?: string;
  base?: string;
  debian?: string;
  user?: string;
  entrypoint?: string;
  cmd?: string;
  env?: string[];
  port?: string[];
  package?: string[];
  load?: boolean;
  mirror?: string;
  securityMirror?: string;
  lock?: boolean;
  relock?: boolean;
  frozenLock?: boolean;
  sitePackages?: string;
  jlink?: boolean;
  addModules?: string;
  jlinkKeepAll?: boolean;
  compression?: CompressionChoice;
  slim?: boolean;
  json?: boolean;
}

export function register(program: Command): void {
  const cmd = program
    .command('build [dir]')
    .description(
      'build an application image from a project (Node.js, Python, Java, Go, native) on a distroless base',
    )
    .option(
      '--arch <list>',
      'architectures, comma-separated (several give an OCI index); default distill.yaml archs, else amd64',
    )
    .option('--base <ref>', 'base image: a catalogue name (nodejs22, python3, cc, ...) or an image reference')
    .option('--debian <13|12>', 'Debian release of the base and extra packages')
    .option('--user <uid[:gid]>', 'runtime user (default 65532, nonroot)')
    .option('--entrypoint <argv>', 'entrypoint, as a JSON array or one program')
    .option('--cmd <argv>', 'cmd, as a JSON array or one argument')
    .option('--env <KEY=VALUE>', 'environment variable (repeatable)', collect)
    .option('--port <port>', 'exposed port, 8080 or 8080/tcp (repeatable)', collect)
    .option('--package <name>', 'extra Debian package (repeatable)', collect)
    .option('--site-packages <dir>', 'Python: take the dependencies from this site-packages directory')
    .option(
      '--jlink',
      "Java: a runtime with only the modules the app's classes use (jlink, run in distill's JDK image with runc) on java-base",
    )
    .option(
      '--add-modules <list>',
      'Java with --jlink: modules to add, comma-separated (reflection, services)',
    )
    .option(
      '--jlink-keep-all',
      "Java with --jlink: link the modules whole (by default java.desktop loses Swing, sound, Image I/O, printing and AWT's native libraries when the classes use only java.beans of it)",
    )
    .option('--load', 'load the image into the local Docker engine through its API socket (no docker CLI)')
    .option('--no-lock', 'do not write DIR/distill.lock')
    .option('--relock', 'resolve the base and packages again even when DIR/distill.lock is current')
    .option(
      '--frozen-lock',
      'fail (LOCK_MISSING, LOCK_STALE) unless DIR/distill.lock exists and matches; for CI',
    )
    .option('--mirror <url>', 'Debian archive (default: DISTILL_DEBIAN_MIRROR, the config, then apt sources)')
    .option('--security-mirror <url>', 'Debian security archive')
    .option(
      '--slim',
      'the catalogue base as `distill base --slim` makes it (no docs, man pages, changelogs, translations, opt-in JVM CDS archives, bin/node symbols) and --package layers without docs; copyrights and the app stay',
    )
    .addOption(
      compressionOption(
        'layer compression of the layers distill writes (gzip 1–9, default 6; zstd 1–19, default 3: smaller, needs Docker 23+ / containerd 1.5+ to pull); an image-reference base keeps its own',
      ),
    )
    .option('--json', 'print the result as JSON')
    .option('-q, --quiet', 'no progress on stderr (warnings and errors still go there)');
  addSignFlags(addSbomFlag(addOutputFlags(cmd))).action(
    async (dirArg: string | undefined, o: BuildFlags & SbomFlag & SignFlags) => {
      const out = consoleOutput(Boolean(o.json));
      const dir = resolve(dirArg ?? '.');
      const started = Date.now();
      const progress = createProgress(process.stderr, { enabled: !o.json && !o.quiet, env: process.env });
      const name = imageName(dir);
      const sbomAt = sbomPlace(o, name);
      const signer = await signerFor(o, name);
      const outputs = [
        o.output ?? (o.archive || o.push ? undefined : `distill-out/${name}`),
        o.archive === '-' ? undefined : o.archive,
      ];
      // Cleared however the build ends: an error is then printed on a line of its own.
      const b = await showing(progress, async () =>
        buildApp({
          ...(await appBuildOptions(dir, o, out, progress)),
          outputs: outputs.filter((p): p is string => Boolean(p)),
        }),
      );
      const tag = o.tag ?? b.config.tags?.[0];
      const opts = { ...o, ...(tag ? { tag } : {}) };
      progress.end();
      const res = await writeOutputs(b.artifact, opts, name, out);
      if (b.lockChanged && o.lock !== false) {
        await writeAppLock(b.lockPath, b.lock);
        out.warn(`  wrote ${b.lockPath}`);
      }
      if (sbomAt)
        Object.assign(res, { sbom: await writeSboms(b.artifact, sbomAt, tag ?? `${name}:latest`, out) });
      if (signer)
        Object.assign(res, {
          signed: await signOutputs(signer, b.artifact, opts, res, name, out, {
            lock: b.lock,
            lockName: basename(b.lockPath),
            appLayers: b.layers.flatMap((ls, i) =>
              ls.map((l) => ({ arch: b.archs[i] ?? '', name: l.name, digest: l.digest })),
            ),
            epoch: sourceDateEpoch(process.env),
          }),
        });
      report(out, b, res, Date.now() - started);
    },
  );
}

/** The build's options from its flags: what `distill build` and `distill lock DIR` share. */
export async function appBuildOptions(
  dir: string,
  o: BuildFlags,
  _out: Output,
  // `distill lock DIR` shows no progress; its report lines and warnings still go to stderr.
  progress: Progress = createProgress(process.stderr, { enabled: false }),
): Promise<AppBuildOptions> {
  const flags = flagConfig(o);
  const env = process.env;
  const cache = await openCache(cacheRoot(env));
  const base = catalogueProgress(progress);
  return {
    dir,
    flags,
    env,
    epoch: sourceDateEpoch(env),
    cache,
    // Each loaded when used: a warm build from the lock needs neither the archive nor npm.
    archive: async (debian) =>
      (await import('../../debian/index.ts')).openArchiveContext({
        debian,
        env,
        flag: o.mirror,
        securityFlag: o.securityMirror,
        cache,
        onEvent: progress.index,
      }),
    openImage: async (ref) => (await import('../../transports/index.ts')).openSource(ref),
    relock: Boolean(o.relock),
    frozen: Boolean(o.frozenLock),
    ...(o.slim ? { slim: true } : {}),
    ...o.compression,
    npm: async () => {
      const npm = await import('../../npm/index.ts');
      return npm.discoverNpmConfig(npm.nodeConfigSources());
    },
    onEvent: (e) => {
      if (e.type === 'reason') progress.print(`  ${e.message}`);
      else if (e.type === 'warning') progress.print(`warning: ${e.message}`);
      else if (e.type === 'native' || e.type === 'step') progress.print(`  ${e.message}`);
      else if (e.type === 'base' || e.type === 'progress') base(e.event);
      else if (e.type === 'layer')
        progress.layer({
          type: 'layer',
          image: '',
          kind: e.name,
          digest: e.digest,
          size: e.size,
          cached: e.cached,
        });
    },
  };
}

/** Flags as distill.yaml fields (a flag given replaces the field). */
function flagConfig(o: BuildFlags): Partial<AppConfig> {
  const c: Partial<AppConfig> = {};
  if (o.arch)
    c.archs = o.arch
      .split(',')
      .map((a) => a.trim())
      .filter(Boolean);
  if (o.base) c.base = o.base;
  if (o.sitePackages) c.sitePackages = o.sitePackages;
  if (o.jlink) c.jlink = true;
  if (o.jlinkKeepAll) c.jlinkKeepAll = true;
  if (o.addModules)
    c.addModules = o.addModules
      .split(',')
      .map((m) => m.trim())
      .filter(Boolean);
  if (o.debian) c.debian = o.debian;
  if (o.user) c.user = o.user;
  if (o.entrypoint) c.entrypoint = parseArgv('--entrypoint', o.entrypoint);
  if (o.cmd) c.cmd = parseArgv('--cmd', o.cmd);
  if (o.env?.length) c.env = keyValues('--env', o.env);
  if (o.port?.length)
    c.ports = o.port.map((p) => {
      if (!/^\d{1,5}(\/(tcp|udp|sctp))?$/.test(p))
        throw new UsageError(`--port takes 8080 or 8080/tcp, got ${JSON.stringify(p)}`);
      return normalisePort(p);
    });
  if (o.package?.length) c.packages = o.package;
  return c;
}

/** A docker-friendly name from the project folder. */
function imageName(dir: string): string {
  return (
    basename(dir)
      .toLowerCase()
      .replace(/[^a-z0-9._-]+/g, '-')
      .replace(/^[^a-z0-9]+/, '') || 'app'
  );
}

function report(
  out: Output,
  b: AppBuild,
  res: Awaited<ReturnType<typeof writeOutputs>>,
  elapsedMs: number,
): void {
  out.info(
    `${b.artifact.descriptor.digest}  ${b.plan.kind} app on ${b.baseName} debian${b.debian} ${b.archs.join(',')}`,
  );
  for (const [i, ls] of b.layers.entries())
    out.info(
      `  ${b.archs[i]}: ${ls.map((l) => `${l.name} ${(l.size / 1e6).toFixed(2)}MB${l.cached ? ' (cached)' : ''}`).join(', ')}`,
    );
  out.info(
    `  entrypoint ${JSON.stringify(b.plan.entrypoint)} cmd ${JSON.stringify(b.plan.cmd ?? [])} user ${b.plan.user}`,
  );
  if (res.layout) out.info(`wrote OCI layout ${res.layout.path} (tag ${res.layout.tag})`);
  if (res.archive) out.info(`wrote docker archive ${res.archive.path} (${res.archive.tags.join(', ')})`);
  if (res.push)
    out.info(
      `pushed ${res.push.reference} (${res.push.blobs.uploaded} blobs uploaded, ${res.push.blobs.existing + res.push.blobs.mounted} already there)`,
    );
  for (const m of res.loaded ?? []) out.info(m);
  out.result({
    ...res,
    kind: b.plan.kind,
    reasons: b.plan.reasons,
    ...(b.plan.jlink?.linked ? { jlink: b.plan.jlink.linked } : {}),
    base: b.baseName,
    debian: b.debian,
    archs: b.archs,
    entrypoint: b.plan.entrypoint,
    cmd: b.plan.cmd ?? [],
    user: b.plan.user,
    layers: b.layers,
    added: b.added,
    warnings: b.warnings,
    lock: { path: b.lockPath, changed: b.lockChanged },
    elapsedMs,
  });
}
