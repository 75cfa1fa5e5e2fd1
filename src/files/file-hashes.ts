/**
 * The sha256 of a project's files, for layer cache keys that follow content: a pipeline that
 * normalises file times (a CI checkout with fixed mtimes, `touch -d`) must never get the old
 * layer for new bytes. Reading every file on every warm rebuild would be slow, so a hash is
 * remembered with the file's stat stamp — device, inode, size, mtime and ctime — and reused only
 * while all five are unchanged: rewriting a file, replacing it, or resetting its mtime with
 * utimes(2) all move ctime or the inode, so it is read again. A file changed within the last two
 * seconds is hashed but not remembered (its stamp may not have ticked yet; git calls such entries
 * "racily clean"). The memo of one project lives at <cache>/file-hashes/<sha256(project)>.json,
 * holds only the files the last build saw, and is written by atomic rename; a damaged or foreign
 * memo only costs a re-read.
 */
import { createHash } from 'node:crypto';
import { createReadStream, type Stats } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { holdTemp, tempPath } from './temp-files.ts';

/** File hashes by path, remembered per stat stamp. */
export interface FileHashes {
  /** The sha256 (hex) of the regular file at `path`, whose lstat is `st`. */
  of(path: string, st: Stats): Promise<string>;
  /**
   * Records that the file at `path`, with lstat `st`, has sha256 `sha` — for a file this process
   * just wrote from bytes it verified (no racy-clean wait: nobody else has it yet).
   */
  remember(path: string, st: Stats, sha: string): void;
  /** Writes the stamps learned in this run (atomic); safe to call more than once. */
  save(): Promise<void>;
  /** Files read and hashed in this run (not taken from a stamp): for tests and reports. */
  readonly hashed: number;
}

const FORMAT = 1;
const RACY_MS = 2000;

const stampOf = (st: Stats) => `${st.dev}:${st.ino}:${st.size}:${st.mtimeMs}:${st.ctimeMs}`;

async function hashFile(path: string, size: number): Promise<string> {
  const h = createHash('sha256');
  if (size <= 1 << 20) h.update(await readFile(path));
  else await pipeline(createReadStream(path, { highWaterMark: 1 << 20 }), h);
  return h.digest('hex');
}

/**
 * Opens the memo of project `project` under `cacheRoot` (undefined: hash every file, remember
 * nothing). `now` is the clock, for the racily-clean rule.
 */
export async function openFileHashes(
  cacheRoot: string | undefined,
  project: string,
  now: () => number = Date.now,
): Promise<FileHashes> {
  const file = cacheRoot
    ? join(cacheRoot, 'file-hashes', `${createHash('sha256').update(project).digest('hex')}.json`)
    : undefined;
  let known: Record<string, [string, string]> = {};
  if (file) {
    try {
      const memo = JSON.parse(await readFile(file, 'utf8')) as { format?: number; files?: unknown };
      if (memo.format === FORMAT && memo.files && typeof memo.files === 'object')
        known = memo.files as typeof known;
    } catch {
      // Missing or damaged: every file is read once more.
    }
  }
  return memoHashes(known, file, now);
}

/** Hashes every file and remembers nothing (tests, library callers without a cache). */
export function contentHashes(): FileHashes {
  return memoHashes({}, undefined, Date.now);
}

function memoHashes(
  known: Record<string, [string, string]>,
  file: string | undefined,
  now: () => number,
): FileHashes {
  const seen = new Map<string, [string, string]>();
  let hashed = 0;
  let dirty = false;
  return {
    get hashed() {
      return hashed;
    },
    async of(path, st) {
      const stamp = stampOf(st);
      const mem = seen.get(path) ?? known[path];
      if (Array.isArray(mem) && mem[0] === stamp && typeof mem[1] === 'string') {
        seen.set(path, mem);
        return mem[1];
      }
      hashed++;
      const sha = await hashFile(path, st.size);
      const t = now();
      if (t - st.mtimeMs >= RACY_MS && t - st.ctimeMs >= RACY_MS) {
        seen.set(path, [stamp, sha]);
        dirty = true;
      }
      return sha;
    },
    remember(path, st, sha) {
      seen.set(path, [stampOf(st), sha]);
      dirty = true;
    },
    async save() {
      if (!file || (!dirty && seen.size === Object.keys(known).length)) return;
      await mkdir(join(file, '..'), { recursive: true });
      const tmp = tempPath(dirname(file), basename(file));
      const release = holdTemp(tmp);
      try {
        await writeFile(tmp, JSON.stringify({ format: FORMAT, files: Object.fromEntries(seen) }));
        await rename(tmp, file);
      } finally {
        release();
      }
      dirty = false;
    },
  };
}
