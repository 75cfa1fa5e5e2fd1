/**
 * Writing a whole file so that nobody ever sees half of it: the bytes go to a temporary name beside
 * it (held, so Ctrl-C removes it), then are renamed into place. On failure nothing is left and the
 * file's old content, if any, is untouched; the caller turns the error into its own code.
 */
import { rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { holdTemp, tempPath } from './temp-files.ts';

export async function writeAside(file: string, data: string | Uint8Array): Promise<void> {
  const tmp = tempPath(dirname(file), basename(file));
  const release = holdTemp(tmp);
  try {
    await writeFile(tmp, data);
    await rename(tmp, file);
  } catch (err) {
    await rm(tmp, { force: true }).catch(() => undefined);
    throw err;
  } finally {
    release();
  }
}
