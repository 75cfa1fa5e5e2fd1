/**
 * Writing a report file: aside then renamed into place, so a reader never sees half a page and a
 * failed write leaves no file behind.
 */
import { writeAside } from '../files/index.ts';
import { CompareError } from './errors.ts';

/** Writes `text` to `file` atomically, or throws COMPARE_WRITE_FAILED with nothing left behind. */
export async function writeReport(file: string, text: string): Promise<void> {
  try {
    await writeAside(file, text);
  } catch (err) {
    throw new CompareError(
      'COMPARE_WRITE_FAILED',
      `cannot write the report to ${file}: ${(err as Error).message}`,
      {
        cause: err,
      },
    );
  }
}
