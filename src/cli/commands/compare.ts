/**
 * `distill compare IMAGE...`: images side by side (the seed's distroless vs Alpine vs scratch
 * table) from any source a transport opens, without running them. Every image is read before
 * anything is printed or written; `--html FILE` is written aside and renamed.
 */
import type { Command } from 'commander';
import { auditScan, wantForAudit } from '../../audit/index.ts';
import {
  type Assessment,
  compareHtml,
  compareImages,
  compareMarkdown,
  compareText,
  writeReport,
} from '../../compare/index.ts';
import { imageForPlatform } from '../../oci/index.ts';
import { cacheRoot, openCache } from '../../platform/index.ts';
import { openSource, parseImageRef } from '../../transports/index.ts';
import { loadVulnDb, type VulnDb } from '../../vulns/index.ts';
import { consoleOutput } from '../console-output.ts';
import { UsageError } from '../errors.ts';

interface Flags {
  platform?: string;
  json?: boolean;
  markdown?: boolean;
  html?: string;
  vulns?: boolean;
  vulnDb?: string;
  vulnDbUrl?: string;
}

/** The tracker data --vulns / --vuln-db / --vuln-db-url ask for (downloads are HTTP-cached), else undefined. */
async function vulnData(o: Flags): Promise<VulnDb | undefined> {
  if (o.vulnDb) return loadVulnDb({ file: o.vulnDb });
  const url = o.vulnDbUrl ?? process.env.DISTILL_VULN_DB_URL;
  if (!o.vulns && !o.vulnDbUrl) return undefined;
  return loadVulnDb({ ...(url ? { url } : {}), cache: await openCache(cacheRoot(process.env)) });
}

/** The audit of one image from compare's scan: its findings and, with tracker data, its CVEs. */
const assess =
  (vulnDb: VulnDb | undefined) =>
  (image: Parameters<typeof auditScan>[0], files: Parameters<typeof auditScan>[1]): Assessment => {
    const r = auditScan(image, files, vulnDb ? { vulnDb } : {});
    const v = r.vulns;
    return {
      findings: r.findings,
      ...(v ? { cves: { total: v.total, noData: v.noData, ...(v.note ? { note: v.note } : {}) } } : {}),
    };
  };

export function register(program: Command): void {
  program
    .command('compare <images...>')
    .description(
      'compare images side by side: sizes, layers, shell, package manager, libc, runtimes, packages, setuid files, user',
    )
    .option('--platform <os/arch[/variant]>', 'the image of this platform, for images that are indexes')
    .option('--json', 'print the comparison as JSON')
    .option('--markdown', 'print the comparison as a Markdown table')
    .option('--html <file>', 'also write a self-contained HTML report (table and charts) to FILE')
    .option(
      '--vulns',
      "count CVEs of the Debian packages with Debian's security tracker data (downloaded, cached)",
    )
    .option('--vuln-db <file>', 'the security tracker JSON export to use for --vulns (implies --vulns)')
    .option(
      '--vuln-db-url <url>',
      'download the tracker JSON from URL (implies --vulns; env DISTILL_VULN_DB_URL)',
    )
    .action(async (refs: string[], o: Flags) => {
      if (o.json && o.markdown)
        throw new UsageError('--json and --markdown both print the comparison: pick one');
      // A reference that cannot be parsed fails before any image is read.
      for (const r of refs) parseImageRef(r);
      const out = consoleOutput(Boolean(o.json));
      const vulnDb = await vulnData(o);
      const rows = await compareImages(refs, {
        assess: assess(vulnDb),
        auditWant: wantForAudit,
        open: async (ref) => imageForPlatform(ref, await openSource(ref), o.platform),
        onWarning: (m) => out.warn(`distill: warning: ${m}`),
      });
      if (o.html) await writeReport(o.html, compareHtml(rows));
      if (o.json) out.result({ images: rows, ...(o.html ? { html: o.html } : {}) });
      else if (o.markdown) process.stdout.write(compareMarkdown(rows));
      else process.stdout.write(compareText(rows));
      if (o.html && !o.json) out.warn(`distill: wrote ${o.html}`);
    });
}
