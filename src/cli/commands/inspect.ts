/** `distill inspect IMAGE`: prints what `inspectArtifact` (src/oci/inspect.ts) reports, for any source a transport opens. */

import type { Command } from 'commander';
import { type InspectReport, inspectArtifact } from '../../oci/index.ts';
import { openSource } from '../../transports/index.ts';
import { consoleOutput } from '../console-output.ts';
import { binarySize } from '../table.ts';

const human = (n: number | null): string => (n === null ? '?' : binarySize(n));

function print(r: InspectReport, info: (s: string) => void): void {
  info(`${r.reference}: ${r.kind} ${r.digest}`);
  info(`  media type  ${r.mediaType}`);
  info(`  platforms   ${r.platforms.join(', ')}`);
  for (const img of r.images) {
    const c = img.config;
    info('');
    info(`${img.platform}  ${img.digest}`);
    info(`  config      ${c.digest}${c.created ? `  created ${c.created}` : ''}`);
    info(`  entrypoint  ${c.entrypoint ? JSON.stringify(c.entrypoint) : '-'}`);
    info(`  cmd         ${c.cmd ? JSON.stringify(c.cmd) : '-'}`);
    info(`  user        ${c.user ?? '-'}`);
    info(`  workdir     ${c.workdir ?? '-'}`);
    for (const e of c.env ?? []) info(`  env         ${e}`);
    for (const [k, v] of Object.entries(c.labels ?? {})) info(`  label       ${k}=${v}`);
    info(`  layers (${img.totals.layers}):`);
    for (const l of img.layers) {
      info(
        `    ${l.digest}  ${String(l.size).padStart(10)}  ${human(l.uncompressedSize).padStart(10)} uncompressed  ${l.mediaType}`,
      );
    }
    info(
      `  total       ${img.totals.size} bytes (${human(img.totals.size)}), ${human(img.totals.uncompressedSize)} uncompressed`,
    );
  }
}

interface Flags {
  json?: boolean;
  platform?: string;
  measure: boolean;
}

export function register(program: Command): void {
  program
    .command('inspect <image>')
    .description(
      'show an image: platform(s), config, layers and sizes (oci:DIR[:TAG], docker-archive:FILE[:NAME])',
    )
    .option('--platform <os/arch[/variant]>', 'only the image for this platform')
    .option(
      '--no-measure',
      'do not read compressed layers to count their uncompressed size (one decompression per layer)',
    )
    .option('--json', 'print the result as JSON')
    .action(async (ref: string, o: Flags) => {
      const out = consoleOutput(Boolean(o.json));
      const a = await openSource(ref);
      const r = await inspectArtifact(ref, a, {
        measure: o.measure,
        ...(o.platform ? { platform: o.platform } : {}),
      });
      out.result(r);
      print(r, out.info);
    });
}
