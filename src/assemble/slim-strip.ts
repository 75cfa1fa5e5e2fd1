/**
 * --slim for the Node.js runtime: bin/node without its symbol table and DWARF sections (about a
 * seventh of the binary, 4 MB compressed). Node's own stack traces, the inspector and
 * --perf-basic-prof do not use them; gdb, perf and native backtraces lose C++ symbol names.
 */
import { fileSource, planStrip, strippedStream } from '../elf/index.ts';
import type { LayerEntry } from '../oci/index.ts';

/**
 * `entries` with the file at `layerPath` (read from `file`) stripped, and the bytes that saves;
 * unchanged (0 saved) when nothing strips.
 */
export async function withStrippedBinary(
  entries: readonly LayerEntry[],
  layerPath: string,
  file: string,
): Promise<{ entries: LayerEntry[]; savedBytes: number }> {
  const src = await fileSource(file);
  let plan: Awaited<ReturnType<typeof planStrip>>;
  try {
    plan = await planStrip(src, file);
  } finally {
    await src.close?.();
  }
  if (!plan) return { entries: [...entries], savedBytes: 0 };
  const p = plan;
  let savedBytes = 0;
  const stripped = entries.map((e) => {
    if (e.path !== layerPath || e.type !== 'file') return e;
    savedBytes += (e.size ?? p.size) - p.size;
    return { ...e, size: p.size, content: () => strippedStream(file, p) };
  });
  return { entries: stripped, savedBytes };
}
