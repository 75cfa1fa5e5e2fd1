/**
 * `distill sbom IMAGE`: an SPDX 2.3 or CycloneDX 1.6 JSON SBOM of any image a transport opens
 * (oci:, docker-archive:, docker-daemon:, a registry), without running it. To stdout, or to
 * `-o FILE` (written aside and renamed). An index gives the SBOM of one platform: --platform, else
 * the host's architecture when the index has it, else its first image.
 */
import type { Command } from 'commander';
import { imageForPlatform } from '../../oci/index.ts';
import { imageSbom, parseSbomFormat, writeSbomFile } from '../../sbom/index.ts';
import { openSource } from '../../transports/index.ts';
import { consoleOutput, reserveStdout } from '../console-output.ts';
import { distillTool } from '../tool.ts';

interface Flags {
  format: string;
  output?: string;
  platform?: string;
  json?: boolean;
}

export function register(program: Command): void {
  program
    .command('sbom <image>')
    .description(
      'write the SBOM of an image (every Debian, apk, npm, Python and Maven package, with purls and licences)',
    )
    .option('--format <format>', 'spdx-json (SPDX 2.3) or cyclonedx-json (CycloneDX 1.6)', 'spdx-json')
    .option('-o, --output <file>', 'write the SBOM to FILE instead of stdout')
    .option('--platform <os/arch[/variant]>', 'the image of this platform, when IMAGE is an index')
    .option('--json', 'with -o: print a JSON summary (file, digest, package count) on stdout')
    .action(async (ref: string, o: Flags) => {
      const format = parseSbomFormat(o.format);
      const out = consoleOutput(Boolean(o.json) && Boolean(o.output));
      if (!o.output) reserveStdout();
      const image = imageForPlatform(ref, await openSource(ref), o.platform);
      const sbom = await imageSbom(image, {
        format,
        name: ref,
        env: process.env,
        tool: await distillTool(),
        onWarning: (w) => out.warn(`distill: warning: ${w.path}: ${w.message}`),
      });
      if (!o.output) {
        process.stdout.write(sbom.text);
        return;
      }
      await writeSbomFile(o.output, sbom.text);
      const packages = sbom.inventory.packages.length;
      out.info(`wrote ${format} SBOM ${o.output}: ${packages} packages of ${ref} (${sbom.subject.digest})`);
      out.result({
        file: o.output,
        format,
        digest: sbom.subject.digest,
        platform: sbom.subject.platform,
        packages,
      });
    });
}
