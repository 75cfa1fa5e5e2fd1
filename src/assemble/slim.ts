/**
 * --slim: what a running container never reads. Man and info pages, documentation (each
 * package's copyright stays: licences require it), changelogs, lintian overrides and message
 * translations; and the JVM's class-data-sharing archives for modes the JVM only enters when
 * asked (a heap over 32 GB without compressed oops, or compact object headers): such a JVM
 * still runs, it only starts without CDS. Package records in status.d stay, so scanners still
 * see every package.
 */
import type { LayerEntry } from '../oci/index.ts';

const DROP_PREFIXES = ['usr/share/man/', 'usr/share/info/', 'usr/share/lintian/', 'usr/share/locale/'];

/** CDS archives for -XX:-UseCompressedOops and -XX:+UseCompactObjectHeaders (classes.jsa stays). */
const JVM_OPTIONAL_CDS = /^usr\/lib\/jvm\/[^/]+\/lib\/server\/classes(?:_nocoops_coh|_nocoops|_coh)\.jsa$/;

/** Whether --slim leaves `path` out. */
export function slimDrops(path: string): boolean {
  if (JVM_OPTIONAL_CDS.test(path)) return true;
  if (path.startsWith('usr/share/doc/')) {
    // Keep usr/share/doc/<pkg>/copyright (and the directories leading to it).
    const rest = path.slice('usr/share/doc/'.length);
    const parts = rest.split('/');
    return !(parts.length === 1 || (parts.length === 2 && parts[1] === 'copyright'));
  }
  return DROP_PREFIXES.some((p) => `${path}/`.startsWith(p));
}

/** The entries --slim keeps, and the bytes of regular files it dropped. */
export function slimEntries(entries: readonly LayerEntry[]): {
  entries: LayerEntry[];
  savedBytes: number;
  dropped: number;
} {
  const kept: LayerEntry[] = [];
  let savedBytes = 0;
  let dropped = 0;
  for (const e of entries) {
    if (slimDrops(e.path)) {
      dropped++;
      if (e.type === 'file') savedBytes += e.size ?? 0;
    } else kept.push(e);
  }
  return { entries: kept, savedBytes, dropped };
}
