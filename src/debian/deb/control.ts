/** Reads control.tar of a .deb: the `control` and `md5sums` files, verbatim, for status.d. */
import { extract } from 'tar-stream';
import { DebError } from './errors.ts';
import { type DebFile, memberStream, type SpawnFn } from './reader.ts';

/** What status.d needs from control.tar. */
export interface DebControl {
  /** The control file exactly as shipped. */
  control: string;
  /** The md5sums file exactly as shipped (absent in packages without files, e.g. some metapackages). */
  md5sums?: string;
  /** The `Package:` field. */
  package: string;
}

const MAX_CONTROL_FILE = 16 << 20;

/** Extracts control and md5sums from the control member (small: read into memory). */
export async function readControl(deb: DebFile, spawn?: SpawnFn): Promise<DebControl> {
  const files = new Map<string, string>();
  const ex = extract();
  const src = memberStream(deb, deb.control, spawn);
  src.on('error', (err) => ex.destroy(err));
  src.pipe(ex);
  try {
    for await (const entry of ex) {
      const name = entry.header.name.replace(/^\.\//, '');
      if ((name === 'control' || name === 'md5sums') && entry.header.type === 'file') {
        if ((entry.header.size ?? 0) > MAX_CONTROL_FILE)
          throw new DebError('DEB_CONTROL_INVALID', `${deb.path}: ${name} is implausibly large`);
        const parts: Buffer[] = [];
        for await (const b of entry) parts.push(b as Buffer);
        files.set(name, Buffer.concat(parts).toString('utf8'));
      } else entry.resume();
    }
  } catch (err) {
    src.destroy();
    if (err instanceof DebError) throw err;
    throw new DebError('DEB_FORMAT_INVALID', `${deb.path}: control member: ${(err as Error).message}`, {
      cause: err,
    });
  }
  const control = files.get('control');
  if (control === undefined) throw new DebError('DEB_CONTROL_INVALID', `${deb.path}: no control file`);
  const pkg = /^Package:[ \t]*(\S+)/m.exec(control)?.[1];
  if (!pkg) throw new DebError('DEB_CONTROL_INVALID', `${deb.path}: control file has no Package field`);
  const md5sums = files.get('md5sums');
  return md5sums === undefined ? { control, package: pkg } : { control, md5sums, package: pkg };
}
