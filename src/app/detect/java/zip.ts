/**
 * A jar's zip entries and manifest for `distill build`: the zip reader lives in zip/ (shared with
 * the image inventory); its errors become APP_JAVA_JAR_INVALID here.
 */
import { zipEntries as entries, zipRead as read, type ZipEntry, ZipError } from '../../../zip/index.ts';
import { AppError } from '../../errors.ts';

export type { ZipEntry };

const rethrow = (err: unknown): never => {
  if (err instanceof ZipError) throw new AppError('APP_JAVA_JAR_INVALID', err.message, { cause: err });
  throw err;
};

/** The central directory of a jar held in memory. */
export function zipEntries(zip: Buffer, what = 'jar'): ZipEntry[] {
  try {
    return entries(zip, what);
  } catch (err) {
    return rethrow(err);
  }
}

/** The uncompressed bytes of one entry. */
export function zipRead(zip: Buffer, entry: ZipEntry, what = 'jar'): Buffer {
  try {
    return read(zip, entry, what);
  } catch (err) {
    return rethrow(err);
  }
}

/** The main attributes of a manifest (continuation lines joined), e.g. `Main-Class`. */
export function parseManifest(text: string): Map<string, string> {
  const fields = new Map<string, string>();
  let last: string | undefined;
  for (const raw of text.replace(/\r\n?/g, '\n').split('\n')) {
    if (raw === '') break; // the main section ends at the first blank line
    if (raw.startsWith(' ') && last) {
      fields.set(last, (fields.get(last) ?? '') + raw.slice(1));
      continue;
    }
    const i = raw.indexOf(':');
    if (i <= 0) continue;
    last = raw.slice(0, i).trim();
    fields.set(last, raw.slice(i + 1).trim());
  }
  return fields;
}
