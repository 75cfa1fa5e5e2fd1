/** `distill packages resolve PKG...`: the package set an image would get, with the chain that pulled each in. */
import type { Command } from 'commander';
import {
  DEFAULT_EXCLUSIONS,
  openArchiveContext,
  RUNTIME_TOOLS,
  resolveFromRelease,
} from '../../debian/index.ts';
import { consoleOutput } from '../console-output.ts';
import { UsageError } from '../errors.ts';
import { collect } from '../options.ts';

interface ResolveFlags {
  debian: string;
  arch: string;
  mirror?: string;
  securityMirror?: string;
  exclude?: string[];
  keep?: string[];
  json?: boolean;
}

const ARCHES = ['amd64', 'arm64', 'armhf', 's390x', 'ppc64el', 'riscv64'];

export function register(program: Command): void {
  const packages = program.command('packages').description('look at Debian packages: resolve dependencies');
  packages
    .command('exclusions')
    .description('list the packages the resolver leaves out by default, and why')
    .option('--json', 'print the result as JSON')
    .action((o: { json?: boolean }) => {
      const out = consoleOutput(Boolean(o.json));
      const rows = Object.entries(DEFAULT_EXCLUSIONS)
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([name, reason]) => ({ name, reason, runtime: RUNTIME_TOOLS.has(name) }));
      out.result(rows);
      const width = Math.max(...rows.map((r) => r.name.length));
      for (const r of rows) out.info(`${r.name.padEnd(width)}  ${r.reason}`);
    });
  packages
    .command('resolve <package...>')
    .description('resolve packages and their dependencies against the signed Debian archive')
    .option('--debian <13|12>', 'Debian release (13 = trixie, 12 = bookworm)', '13')
    .option('--arch <arch>', `architecture: ${ARCHES.join(', ')}`, 'amd64')
    .option('--mirror <url>', 'Debian archive (default: DISTILL_DEBIAN_MIRROR, the config, then apt sources)')
    .option('--security-mirror <url>', 'Debian security archive (default: DISTILL_DEBIAN_SECURITY_MIRROR, …)')
    .option('--exclude <package>', 'also leave this package out (repeatable)', collect)
    .option('--keep <package>', 'do not leave out this default-excluded package (repeatable)', collect)
    .option('--json', 'print the result as JSON')
    .action(async (names: string[], o: ResolveFlags) => {
      const out = consoleOutput(Boolean(o.json));
      if (!ARCHES.includes(o.arch))
        throw new UsageError(`--arch must be one of ${ARCHES.join(', ')}, got ${JSON.stringify(o.arch)}`);
      const started = Date.now();
      const ctx = await openArchiveContext({
        debian: o.debian,
        env: process.env,
        flag: o.mirror,
        securityFlag: o.securityMirror,
      });
      const r = await resolveFromRelease(ctx.spec, names, {
        arch: o.arch,
        archive: ctx.archive,
        ...(o.exclude ? { exclude: o.exclude } : {}),
        ...(o.keep ? { keep: o.keep } : {}),
      });
      for (const w of r.warnings) out.warn(`warning: ${w}`);
      const total = r.packages.reduce((n, p) => n + p.size, 0);
      out.result({
        debian: ctx.spec.debian,
        codename: ctx.spec.codename,
        arch: r.arch,
        mirrors: { main: ctx.mirrors.main, security: ctx.mirrors.security },
        suites: r.suites,
        requested: names,
        packages: r.packages.map(({ stanza: _stanza, ...p }) => p),
        excluded: r.excluded,
        warnings: r.warnings,
        totalSize: total,
        cached: r.cached,
        elapsedMs: Date.now() - started,
      });
      const width = Math.max(...r.packages.map((p) => p.name.length));
      out.info(
        `debian${ctx.spec.debian} (${ctx.spec.suites.join(', ')}) ${r.arch}: ${r.packages.length} packages, ${total} bytes`,
      );
      for (const p of r.packages)
        out.info(`  ${p.name.padEnd(width)}  ${p.version}  ${p.size}  ${p.suite}  ${p.reason.join(' → ')}`);
      if (r.excluded.length > 0) {
        out.info('left out:');
        for (const x of r.excluded)
          out.info(
            `  ${x.name}: ${x.reason} (needed by ${x.neededBy.map((n) => `${n.package} ${n.field}: ${n.dependency}`).join('; ')})`,
          );
      }
    });
}
