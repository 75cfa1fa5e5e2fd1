/**
 * `distill audit IMAGE...`: findings (and with --vulns, open CVEs of the Debian packages) for any
 * image a transport opens, without running it. A table, `--json`, or SARIF 2.1.0 (`--format
 * sarif` on stdout, `--sarif FILE` beside any format). Gates for CI, after the output is printed:
 * `--fail-on SEVERITY` (a finding not marked expected, or a CVE, at or above it) and `--policy
 * seed` (default user 0/unset, or a directory written outside the declared writable ones) exit
 * with code 3 (AUDIT_FAILED), as dockle's `--exit-code`; errors exit 1, bad flags 2. `--sbom FILE`
 * writes the image's SBOM from the same scan (audit + SBOM in one read of the layers).
 */
import type { Command } from 'commander';
import {
  AuditError,
  type AuditReport,
  auditImage,
  auditJson,
  auditSarif,
  failsAt,
  RULES,
  seedPolicyViolations,
} from '../../audit/index.ts';
import { writeAside as writeFileAside } from '../../files/index.ts';
import { imageForPlatform } from '../../oci/index.ts';
import { cacheRoot, openCache } from '../../platform/index.ts';
import { parseSbomFormat, type SbomFormat, sbomOf, writeSbomFile } from '../../sbom/index.ts';
import { SEVERITIES, type Severity } from '../../scan/index.ts';
import { openSource } from '../../transports/index.ts';
import { loadVulnDb, type VulnDb } from '../../vulns/index.ts';
import { consoleOutput, reserveStdout } from '../console-output.ts';
import { UsageError } from '../errors.ts';
import { distillTool } from '../tool.ts';
import { auditTable } from './audit-table.ts';

interface Flags {
  format?: string;
  json?: boolean;
  sarif?: string;
  failOn?: string;
  policy?: string;
  platform?: string;
  vulns?: boolean;
  vulnDb?: string;
  vulnDbUrl?: string;
  sbom?: string;
  sbomFormat?: string;
}

const FORMATS = ['table', 'json', 'sarif'] as const;

function parseFlags(
  o: Flags,
  images: number,
): { format: (typeof FORMATS)[number]; failOn?: Severity; sbomFormat: SbomFormat } {
  if (o.sbom && images !== 1)
    throw new UsageError('--sbom FILE writes the SBOM of one image: audit one image with it');
  const format = o.json ? 'json' : (o.format ?? 'table');
  if (!(FORMATS as readonly string[]).includes(format))
    throw new UsageError(`unknown --format ${JSON.stringify(format)}: use ${FORMATS.join(', ')}`);
  if (o.json && o.format && o.format !== 'json')
    throw new UsageError('--json and --format are two ways to say one thing: give one');
  if (o.failOn !== undefined && !(SEVERITIES as readonly string[]).includes(o.failOn))
    throw new UsageError(`unknown --fail-on ${JSON.stringify(o.failOn)}: use ${SEVERITIES.join(', ')}`);
  if (o.policy !== undefined && o.policy !== 'seed')
    throw new UsageError(`unknown --policy ${JSON.stringify(o.policy)}: the one policy is seed`);
  return {
    format: format as (typeof FORMATS)[number],
    ...(o.failOn ? { failOn: o.failOn as Severity } : {}),
    sbomFormat: parseSbomFormat(o.sbomFormat ?? 'spdx-json'),
  };
}

export function register(program: Command): void {
  program
    .command('audit <images...>')
    .description(
      'audit images: shells, package managers, setuid files, root user, secrets, hidden bytes, CVEs',
    )
    .option('--format <format>', 'table, json or sarif (SARIF 2.1.0)', undefined)
    .option('--json', 'the same as --format json')
    .option('--sarif <file>', 'also write SARIF 2.1.0 to FILE')
    .option(
      '--fail-on <severity>',
      `exit 3 when a finding or CVE is at or above it (${SEVERITIES.join(', ')})`,
    )
    .option(
      '--policy <name>',
      "seed: exit 3 when the seed's securityContext would fail (root user, undeclared writes)",
    )
    .option('--platform <os/arch[/variant]>', 'the image of this platform, when an IMAGE is an index')
    .option('--sbom <file>', "also write the image's SBOM to FILE, from the same scan (one image)")
    .option('--sbom-format <format>', 'spdx-json (default) or cyclonedx-json')
    .option('--vulns', "match Debian packages against Debian's security tracker")
    .option('--vuln-db <file>', 'the tracker JSON export from a file (implies --vulns)')
    .option(
      '--vuln-db-url <url>',
      'download the tracker JSON from URL (implies --vulns; env DISTILL_VULN_DB_URL)',
    )
    .action(async (refs: string[], o: Flags) => {
      const { format, failOn, sbomFormat } = parseFlags(o, refs.length);
      const out = consoleOutput(format === 'json');
      if (format === 'sarif') reserveStdout();
      const env = process.env;
      // Every image is opened first: a bad reference fails before anything is downloaded or written.
      const images = [];
      for (const ref of refs)
        images.push({ ref, image: imageForPlatform(ref, await openSource(ref), o.platform) });
      let db: VulnDb | undefined;
      const url = o.vulnDbUrl ?? env.DISTILL_VULN_DB_URL;
      if (o.vulns || o.vulnDb || o.vulnDbUrl) {
        db = o.vulnDb
          ? await loadVulnDb({ file: o.vulnDb })
          : await loadVulnDb({ ...(url ? { url } : {}), cache: await openCache(cacheRoot(env)) });
      }
      const reports: AuditReport[] = [];
      for (const { ref, image } of images)
        reports.push(
          await auditImage(image, {
            reference: ref,
            ...(db ? { vulnDb: db } : {}),
            onWarning: (w) => out.warn(`distill: warning: ${ref}: ${w.path}: ${w.message}`),
          }),
        );
      // The SBOM comes from the inventory the audit already made: the layers are read once.
      if (o.sbom) {
        const { ref, image } = images[0] as (typeof images)[number];
        const r = reports[0] as AuditReport;
        const doc = sbomOf(image, r.inventory, {
          format: sbomFormat,
          name: ref,
          env,
          tool: await distillTool(),
        });
        await writeSbomFile(o.sbom, doc.text);
      }
      const sarif =
        format === 'sarif' || o.sarif ? auditSarif(reports, { ...(await distillTool()) }) : undefined;
      if (o.sarif) await writeAside(o.sarif, `${JSON.stringify(sarif, null, 2)}\n`);
      if (format === 'sarif') process.stdout.write(`${JSON.stringify(sarif, null, 2)}\n`);
      else if (format === 'json')
        out.result(reports.length === 1 ? auditJson(reports[0] as AuditReport) : reports.map(auditJson));
      else for (const line of auditTable(reports, RULES)) out.info(line);
      gate(reports, failOn, o.policy === 'seed');
    });
}

function gate(reports: readonly AuditReport[], failOn: Severity | undefined, seed: boolean): void {
  const why: string[] = [];
  for (const r of reports) {
    const name = r.reference ?? r.digest;
    if (failOn && failsAt(r, failOn)) why.push(`${name} has findings at or above ${failOn}`);
    if (seed) for (const v of seedPolicyViolations(r)) why.push(`${name} fails the seed policy: ${v}`);
  }
  if (why.length) throw new AuditError('AUDIT_FAILED', why.join('; '));
}

/** Writes `text` to `file` aside and renames it in: a failed write leaves no file. */
async function writeAside(file: string, text: string): Promise<void> {
  try {
    await writeFileAside(file, text);
  } catch (err) {
    throw new AuditError('AUDIT_WRITE_FAILED', `cannot write ${file}: ${(err as Error).message}`, {
      cause: err,
    });
  }
}
