/**
 * Files a later layer replaced or deleted: bytes every pull downloads and no container sees. One
 * finding per layer that holds them, each shipped copy counted once (the scan records a copy when
 * it is hidden, so the visible copy is never counted — dive#684's double count is avoided).
 */
import type { Finding, HiddenFile } from '../scan/index.ts';

export function hiddenFindings(hidden: readonly HiddenFile[]): Finding[] {
  const byLayer = new Map<number, HiddenFile[]>();
  for (const h of hidden) byLayer.set(h.layer, [...(byLayer.get(h.layer) ?? []), h]);
  return [...byLayer.entries()]
    .sort(([a], [b]) => a - b)
    .map(([layer, hs]) => {
      const bytes = hs.reduce((s, h) => s + h.size, 0);
      const largest = hs.reduce((a, b) => (b.size > a.size ? b : a));
      return {
        id: 'DL-HIDDEN-FILES',
        severity: bytes >= 10 * 1024 * 1024 ? 'low' : 'info',
        title: `${bytes} bytes in ${hs.length} file${hs.length === 1 ? '' : 's'} of layer ${layer} hidden by later layers (largest ${largest.path}, ${largest.size} bytes)`,
        path: largest.path,
        layer,
        hint: 'delete or replace files in the layer that creates them, not in a later one',
      } satisfies Finding;
    });
}

export const wastedBytes = (hidden: readonly HiddenFile[]) => hidden.reduce((s, h) => s + h.size, 0);
