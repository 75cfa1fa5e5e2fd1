/**
 * `distill compare`'s core: every image is opened and scanned (one at a time, so memory stays that
 * of one scan) before anything is printed or written; an image that cannot be read stops the
 * comparison with an error that names it, and no report is written.
 */
import type { Image } from '../oci/index.ts';
import { CompareError } from './errors.ts';
import { type CompareRow, compareRow, type RowOptions } from './row.ts';

export interface CompareOptions extends RowOptions {
  /** Opens a reference as one image (the caller picks the platform of an index). */
  open: (ref: string) => Promise<Image>;
  /** Called before each image is read (progress). */
  onImage?: (ref: string, i: number, n: number) => void;
}

/** The columns of the comparison, in the order of `refs`. */
export async function compareImages(refs: readonly string[], o: CompareOptions): Promise<CompareRow[]> {
  const rows: CompareRow[] = [];
  for (const [i, ref] of refs.entries()) {
    o.onImage?.(ref, i, refs.length);
    try {
      rows.push(await compareRow(ref, await o.open(ref), o));
    } catch (err) {
      const e = err as { code?: unknown; message?: string };
      // An error without a code is a bug, not a bad image: it keeps its stack.
      if (typeof e?.code !== 'string') throw err;
      const code = `${e.code}: `;
      throw new CompareError(
        'COMPARE_IMAGE_UNREADABLE',
        `cannot read ${ref} (image ${i + 1} of ${refs.length}): ${code}${e.message ?? String(err)}`,
        { cause: err },
      );
    }
  }
  return rows;
}
