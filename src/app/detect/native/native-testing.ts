/** Test helper for the detectors: a temporary project directory and a DetectContext. */
import { chmod, mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { contentHashes } from '../../../files/index.ts';
import type { DetectContext } from '../../types.ts';

/** Writes `files` (path → content; a `mode` suffix `@755` makes it executable) into a new directory. */
export async function project(files: Record<string, string | Buffer>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'distill-detect-'));
  for (const [name, content] of Object.entries(files)) {
    const [path, mode] = name.split('@') as [string, string | undefined];
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), content);
    if (mode) await chmod(join(dir, path), Number.parseInt(mode, 8));
  }
  return dir;
}

/** A DetectContext for amd64 with nothing ignored. */
export function detectContext(more: Partial<DetectContext> = {}): DetectContext {
  return {
    archs: ['amd64'],
    epoch: 0,
    env: { PATH: process.env.PATH },
    cache: undefined as never,
    hashes: contentHashes(),
    ignored: () => false,
    user: '65532',
    ...more,
  };
}
