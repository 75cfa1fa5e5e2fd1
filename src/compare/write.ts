/**
 * Writing a report file: aside then renamed into place, so a reader never sees half a page and a
 * failed write leaves no file behind.
 */
import { rename, rm, writeFile } from 'node:fs/promises';
import { CompareError } from './errors.ts';

/** Writes `text` to `file` atomically, or throws COMPARE_WRITE_FAILED with nothing left behind. */
export async function writeReport(file: string, text: string): Promise<void> {
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    await writeFile(tmp, text);
    await rename(tmp, file);
  } catch (err) {
    await rm(tmp, { force: true }).catch(() => undefined);
    throw new CompareError(
      'COMPARE_WRITE_FAILED',
      `cannot write the report to ${file}: ${(err as Error).message}`,
      {
        cause: err,
      },
    );
  }
}
