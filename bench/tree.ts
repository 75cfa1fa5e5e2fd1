/** Bench inputs: a tree of real files copied from the host's /usr, up to a byte budget. */
import { copyFile, lstat, mkdir, readdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/** Copies regular files from `sources` (sorted walk) into `dest` until `budget` bytes. */
export async function realFileTree(
  dest: string,
  budget: number,
  sources = ['/usr/lib', '/usr/share'],
): Promise<{ files: number; bytes: number }> {
  let bytes = 0;
  let files = 0;
  const walk = async (dir: string): Promise<void> => {
    let names: string[];
    try {
      names = (await readdir(dir)).sort();
    } catch {
      return;
    }
    for (const n of names) {
      if (bytes >= budget) return;
      const p = join(dir, n);
      const st = await lstat(p).catch(() => undefined);
      if (!st) continue;
      if (st.isDirectory()) await walk(p);
      else if (st.isFile() && st.size > 0 && st.size < 64 * 1024 * 1024) {
        const to = join(dest, p);
        await mkdir(dirname(to), { recursive: true });
        try {
          await copyFile(p, to);
        } catch {
          continue;
        }
        bytes += st.size;
        files++;
      }
    }
  };
  for (const s of sources) await walk(s);
  return { files, bytes };
}

/** Median of numbers. */
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}
