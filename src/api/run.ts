/** The library's `run`: an image started with runc under the hardened profile, as `distill run` does. */
import { cacheRoot } from '../platform/index.ts';
import { type RunOptions, runImage } from '../run/index.ts';

/** `distill run`'s options; `cacheDir` is where the unpacked chains live (default the CLI's cache). */
export interface RunImageOptions extends Omit<RunOptions, 'image' | 'cacheRoot'> {
  cacheDir?: string;
}

/**
 * Runs `image` in the foreground with runc (its stdio is this process's) and resolves when it
 * exits. Throws RunError (RUN_ROOT_REFUSED, RUNC_NOT_FOUND, …) before anything runs.
 * @example
 *   const { exitCode } = await run('oci:out/app:1.0', { args: ['--version'], rm: true });
 */
export function run(
  image: RunOptions['image'],
  o: RunImageOptions = {},
): Promise<{ id: string; exitCode: number; unpackedLayers: number }> {
  const { cacheDir, ...rest } = o;
  return runImage({ ...rest, image, cacheRoot: cacheDir ?? cacheRoot(o.hostEnv ?? process.env) });
}
