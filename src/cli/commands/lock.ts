/** `distill lock [PACKAGE...]`: resolve and write distill.lock; `--check` reports drift without writing. */
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { resolveLock } from '../../api/index.ts';
import { parseDebianRelease } from '../../debian/index.ts';
import type { LockFile, LockInputs } from '../../lock/index.ts';
import { LockError, lockChanged, lockDrift, readLock, writeLock } from '../../lock/index.ts';
import { consoleOutput, type Output } from '../console-output.ts';
import { UsageError } from '../errors.ts';
import { collect } from '../options.ts';

interface LockFlags {
  debian?: string;
  arch?: string;
  output: string;
  mirror?: string;
  securityMirror?: string;
  exclude?: string[];
  keep?: string[];
  check?: boolean;
  json?: boolean;
}

const ARCHES = ['amd64', 'arm64'];

export function register(program: Command): void {
  program
    .command('lock [package...]')
    .description('resolve packages for each architecture and write distill.lock (exact versions and sha256)')
    .option('--debian <13|12>', "Debian release (default: the lock's, else 13)")
    .option('--arch <list>', "comma-separated architectures (default: the lock's, else amd64,arm64)")
    .option('-o, --output <file>', 'the lockfile', 'distill.lock')
    .option('--mirror <url>', 'Debian archive (default: DISTILL_DEBIAN_MIRROR, the config, then apt sources)')
    .option('--security-mirror <url>', 'Debian security archive')
    .option('--exclude <package>', 'also leave this package out (repeatable)', collect)
    .option('--keep <package>', 'do not leave out this default-excluded package (repeatable)', collect)
    .option('--check', 'only report whether the lock matches these inputs (exit 1 with LOCK_STALE when not)')
    .option('--json', 'print the result as JSON')
    .action(async (names: string[], o: LockFlags) => {
      const out = consoleOutput(Boolean(o.json));
      const project = await projectDir(names);
      if (project) return lockProject(project, o, out);
      const previous = await readLock(o.output).catch((err: LockError) => {
        if (err.code === 'LOCK_MISSING') return undefined;
        throw err;
      });
      const inputs = lockInputs(names, o, previous);
      if (o.check) {
        if (!previous)
          throw new LockError('LOCK_MISSING', `no lockfile at ${o.output}: run \`distill lock\``);
        const drift = lockDrift(previous, inputs);
        out.result({ lockfile: o.output, current: drift.length === 0, changes: drift });
        if (drift.length > 0)
          throw new LockError(
            'LOCK_STALE',
            `${o.output} does not match (${drift.join('; ')}): run \`distill lock\` to update it`,
          );
        out.info(`${o.output} is current`);
        return;
      }
      if (previous) for (const d of lockDrift(previous, inputs)) out.warn(`configuration changed: ${d}`);
      const lock = await resolveLock(inputs, {
        ...(o.mirror ? { mirror: o.mirror } : {}),
        ...(o.securityMirror ? { securityMirror: o.securityMirror } : {}),
      });
      const changes = previous ? packageChanges(previous, lock) : [];
      for (const c of changes) out.info(`  ${c}`);
      // Indexes re-signed with the same files behind them leave the lock as it is (no churn).
      const kept = previous && !lockChanged(previous, lock) ? previous : undefined;
      if (!kept) await writeLock(o.output, lock);
      const result = kept ?? lock;
      out.result({
        lockfile: o.output,
        configChecksum: result.configChecksum,
        changes,
        written: !kept,
        lock: result,
      });
      for (const [arch, a] of Object.entries(result.architectures))
        out.info(
          `${arch}: ${a.packages.length} packages${a.excluded.length ? `, left out ${a.excluded.map((x) => x.name).join(', ')}` : ''}`,
        );
      out.info(kept ? `${o.output} is current (nothing it pins changed)` : `wrote ${o.output}`);
    });
}

function lockInputs(names: string[], o: LockFlags, previous: LockFile | undefined): LockInputs {
  const packages = names.length > 0 ? names : (previous?.inputs.packages ?? []);
  if (packages.length === 0)
    throw new UsageError('name the packages to lock, e.g. `distill lock libc6 libssl3t64`');
  const architectures = o.arch
    ? o.arch
        .split(',')
        .map((a) => a.trim())
        .filter(Boolean)
    : [...(previous?.inputs.architectures ?? ['amd64', 'arm64'])];
  for (const a of architectures)
    if (!ARCHES.includes(a))
      throw new UsageError(`--arch takes ${ARCHES.join(', ')}, got ${JSON.stringify(a)}`);
  const exclude = o.exclude ?? (names.length > 0 ? [] : (previous?.inputs.exclude ?? []));
  const keep = o.keep ?? (names.length > 0 ? [] : (previous?.inputs.keep ?? []));
  return {
    debian: o.debian ? parseDebianRelease(o.debian) : (previous?.debian ?? 13),
    architectures,
    packages,
    ...(exclude.length ? { exclude } : {}),
    ...(keep.length ? { keep } : {}),
  };
}

/** Human lines for what moved between two locks. */
function packageChanges(before: LockFile, after: LockFile): string[] {
  const out: string[] = [];
  for (const [arch, a] of Object.entries(after.architectures)) {
    const old = new Map((before.architectures[arch]?.packages ?? []).map((p) => [p.name, p.version]));
    const now = new Map(a.packages.map((p) => [p.name, p.version]));
    for (const [n, v] of now) {
      const was = old.get(n);
      if (was === undefined) out.push(`${arch}: + ${n} ${v}`);
      else if (was !== v) out.push(`${arch}: ${n} ${was} → ${v}`);
    }
    for (const [n, v] of old) if (!now.has(n)) out.push(`${arch}: - ${n} ${v}`);
  }
  return out;
}

/** `distill lock DIR`: the argument is a project directory (not a package name: those have no '/'). */
async function projectDir(names: string[]): Promise<string | undefined> {
  if (names.length !== 1) return undefined;
  const n = names[0] as string;
  if (!(n.includes('/') || n === '.' || n === '..')) return undefined;
  const st = await stat(n).catch(() => undefined);
  if (!st?.isDirectory()) throw new UsageError(`${n} is not a project directory`);
  return resolve(n);
}

/** Locks an application build: its base and extra packages, exactly as `distill build` would use them. */
async function lockProject(dir: string, o: LockFlags, out: Output): Promise<void> {
  const [{ lockApp }, { appBuildOptions }] = await Promise.all([
    import('../../app/index.ts'),
    import('./build.ts'),
  ]);
  const flags = {
    ...(o.arch ? { arch: o.arch } : {}),
    ...(o.debian ? { debian: o.debian } : {}),
    ...(o.mirror ? { mirror: o.mirror } : {}),
    ...(o.securityMirror ? { securityMirror: o.securityMirror } : {}),
  };
  const r = await lockApp({ ...(await appBuildOptions(dir, flags, out)), check: Boolean(o.check) });
  out.result(r);
  if (o.check && r.changed)
    throw new LockError(
      'LOCK_STALE',
      `${r.path} does not match the project: run \`distill lock ${dir}\` to update it`,
    );
  out.info(o.check ? `${r.path} is current` : r.changed ? `wrote ${r.path}` : `${r.path} is current`);
  for (const [arch, pkgs] of Object.entries(r.packages)) out.info(`${arch}: ${pkgs.length} packages`);
}
