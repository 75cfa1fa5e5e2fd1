/**
 * ustar headers for the docker-archive writer. Its entry names are short (hex digests), so plain
 * ustar suffices; sizes of 8 GiB and more use the base-256 form GNU tar and Go's archive/tar read.
 */
export interface HeaderFields {
  name: string;
  type: 'file' | 'dir' | 'symlink';
  size: number;
  mode: number;
  mtime: number;
  linkname?: string;
}

/** One 512-byte header. */
export function tarHeader(f: HeaderFields): Buffer {
  const h = Buffer.alloc(512);
  const name = Buffer.from(f.name, 'utf8');
  if (name.length > 100) throw new Error(`tar name too long for ustar: ${f.name}`);
  name.copy(h, 0);
  octal(h, 100, 8, f.mode);
  octal(h, 108, 8, 0);
  octal(h, 116, 8, 0);
  size(h, f.size);
  octal(h, 136, 12, f.mtime);
  h.write(f.type === 'file' ? '0' : f.type === 'dir' ? '5' : '2', 156, 'latin1');
  if (f.linkname) Buffer.from(f.linkname, 'utf8').copy(h, 157, 0, 100);
  h.write('ustar\u000000', 257, 'latin1');
  h.fill(32, 148, 156);
  let sum = 0;
  for (const b of h) sum += b;
  h.write(`${sum.toString(8).padStart(6, '0')}\u0000 `, 148, 'latin1');
  return h;
}

/** Zero bytes that pad `size` bytes of data to a whole block. */
export function padding(n: number): Buffer {
  return Buffer.alloc((512 - (n % 512)) % 512);
}

/** The end-of-archive marker: two zero blocks. */
export const END_OF_ARCHIVE = Buffer.alloc(1024);

function octal(h: Buffer, off: number, len: number, v: number): void {
  h.write(`${v.toString(8).padStart(len - 1, '0')}\u0000`, off, 'latin1');
}

function size(h: Buffer, v: number): void {
  if (v < 0o77777777777) {
    octal(h, 124, 12, v);
    return;
  }
  let x = v;
  for (let i = 135; i > 124; i--) {
    h[i] = x % 256;
    x = Math.floor(x / 256);
  }
  h[124] = 0x80;
}
