/** Human one-liners for registry events: the CLI prints them; the library itself never does. */
import type { RegistryEvent } from './events.ts';

function mb(n: number): string {
  return n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(1)} MB` : `${(n / 1024).toFixed(1)} kB`;
}

/** One stderr line per event worth telling a person about (progress ticks are not). */
export function describeEvent(e: RegistryEvent): string | undefined {
  const d = 'digest' in e ? e.digest.slice(7, 19) : '';
  switch (e.type) {
    case 'blob-exists':
      return `  ${d}  exists`;
    case 'blob-mounted':
      return `  ${d}  mounted from ${e.from}`;
    case 'blob-uploaded':
      return `  ${d}  uploaded (${mb(e.size)})`;
    case 'manifest-pushed':
      return `  manifest ${e.reference}`;
    case 'retry':
      return `  retrying in ${(e.delayMs / 1000).toFixed(1)} s: ${e.message}`;
    case 'blob-download-resumed':
      return `  ${d}  resuming at byte ${e.offset}: ${e.message}`;
    default:
      return undefined;
  }
}
