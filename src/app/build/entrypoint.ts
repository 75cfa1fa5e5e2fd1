/**
 * The entrypoint must exist in the final image: its program (looked up in PATH when it has no
 * `/`), followed through symlinks, an executable regular file; and every absolute path argument
 * that points into the app directory (the script node or python runs) must be there too.
 */
import { posix } from 'node:path';
import type { Image } from '../../oci/index.ts';
import { AppError } from '../errors.ts';
import type { AppPlan } from '../types.ts';
import type { ImageTree } from './image-files.ts';

function pathDirs(plan: AppPlan, base: Image): string[] {
  const fromBase = base.config.config?.Env?.find((e) => e.startsWith('PATH='))?.slice(5);
  const p = plan.env.PATH ?? fromBase ?? '/usr/local/bin:/usr/bin:/bin';
  return p.split(':').filter((d) => d.startsWith('/'));
}

/** Throws APP_ENTRYPOINT_MISSING when the program or the app file it runs is not in the image. */
export function checkEntrypoint(plan: AppPlan, tree: ImageTree, base: Image): void {
  const argv = [...plan.entrypoint, ...(plan.cmd ?? [])];
  const prog = argv[0];
  if (!prog)
    throw new AppError(
      'APP_ENTRYPOINT_MISSING',
      'the image has no entrypoint or cmd: set entrypoint: in distill.yaml',
    );
  const candidates = prog.includes('/')
    ? [posix.resolve(plan.workdir, prog)]
    : pathDirs(plan, base).map((d) => posix.join(d, prog));
  const found = candidates.find((c) => {
    const r = tree.resolve(c);
    const f = r === undefined ? undefined : tree.files.get(r);
    return f?.type === 'file' && (f.mode & 0o111) !== 0;
  });
  if (!found)
    throw new AppError(
      'APP_ENTRYPOINT_MISSING',
      `the entrypoint ${JSON.stringify(prog)} is not an executable file in the image${prog.includes('/') ? '' : ` (looked in ${pathDirs(plan, base).join(':')})`}: base ${plan.base} does not have it; change entrypoint: or base:`,
    );
  const app = plan.workdir.replace(/\/+$/, '');
  for (const a of argv.slice(1)) {
    if (!a.startsWith(`${app}/`)) continue;
    const r = tree.resolve(a);
    if (r === undefined || !tree.files.has(r))
      throw new AppError(
        'APP_ENTRYPOINT_MISSING',
        `the entrypoint runs ${a}, which is not in the image (is it left out by .dockerignore/.distillignore?)`,
      );
  }
}
