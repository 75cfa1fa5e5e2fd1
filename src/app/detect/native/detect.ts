/**
 * The native-binary detector: an ELF executable in the project directory (or the one distill.yaml
 * names in `main`). Static → the `static` base; dynamic → `cc` when it needs the C++ runtime or
 * libgcc_s/libgomp, else `base`. The project directory becomes /app (minus ignored files) and the
 * binary is the entrypoint.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { type ElfInfo, readElf } from '../../../elf/index.ts';
import { AppError } from '../../errors.ts';
import { treeEntries } from '../../layout.ts';
import { commonPlan } from '../../plan-common.ts';
import type { AppConfig, AppPlan, DetectContext, Detector } from '../../types.ts';
import { elfFilesIn, hasElfMagic } from './files.ts';

/** Libraries the `cc` base adds over `base` (libstdc++, libgcc_s, libgomp). */
const CC_LIBRARIES = /^(libstdc\+\+\.so\.|libgcc_s\.so\.|libgomp\.so\.)/;

/** The base a binary needs, and why. */
export function baseForElf(elf: ElfInfo): { base: string; reason: string } {
  if (elf.linkage !== 'dynamic')
    return { base: 'static', reason: `it is statically linked (${elf.linkage}): base image static` };
  const cc = elf.needed.filter((n) => CC_LIBRARIES.test(n));
  if (cc.length) return { base: 'cc', reason: `it needs ${cc.join(', ')} (DT_NEEDED): base image cc` };
  return {
    base: 'base',
    reason: `it is dynamically linked against ${elf.needed.join(', ') || 'nothing'} (no C++ runtime): base image base`,
  };
}

/** An executable (not a shared library, object or core file). */
const isExecutable = (elf: ElfInfo) =>
  elf.type === 'exec' ||
  (elf.type === 'dyn' && (elf.pie || elf.interpreter !== undefined || elf.linkage === 'static-pie'));

async function candidates(dir: string, ctx: DetectContext): Promise<string[]> {
  const out: string[] = [];
  for (const name of (await readdir(dir)).sort()) {
    if (ctx.ignored(name)) continue;
    const p = join(dir, name);
    const st = await stat(p).catch(() => undefined);
    if (!st?.isFile() || !(st.mode & 0o111) || !(await hasElfMagic(p))) continue;
    if (isExecutable(await readElf(await readFile(p)))) out.push(name);
  }
  return out;
}

async function detectNative(
  dir: string,
  config: AppConfig,
  ctx: DetectContext,
): Promise<AppPlan | undefined> {
  let rel: string;
  const reasons: string[] = [];
  if (config.main && config.kind === 'native') rel = config.main.replace(/^\.\//, '');
  else if (config.main && (await hasElfMagic(join(dir, config.main)))) rel = config.main.replace(/^\.\//, '');
  else {
    const found = await candidates(dir, ctx);
    if (found.length === 0) return undefined;
    const named = found.find((n) => n === posix.basename(dir.replace(/\/+$/, '')));
    rel = named ?? (found[0] as string);
    if (found.length > 1)
      reasons.push(
        `several ELF executables (${found.join(', ')}): took ${rel}; set main: in distill.yaml to choose`,
      );
  }
  const host = join(dir, rel);
  const bytes = await readFile(host).catch((err) => {
    throw new AppError(
      'APP_PATH_INVALID',
      `main ${JSON.stringify(rel)} cannot be read: ${(err as Error).message}`,
      {
        cause: err,
      },
    );
  });
  let elf: ElfInfo;
  try {
    elf = await readElf(bytes);
  } catch (err) {
    throw new AppError(
      'APP_PATH_INVALID',
      `main ${JSON.stringify(rel)} is not an ELF binary: ${(err as Error).message}`,
      {
        cause: err,
      },
    );
  }
  const choice = baseForElf(elf);
  reasons.unshift(`native binary: ${rel} (ELF ${elf.machineName}${elf.libc ? `, ${elf.libc}` : ''})`);
  reasons.push(
    config.base ? `base ${config.base} from the config (${choice.reason.split(':')[0]})` : choice.reason,
  );

  const { appDir, writable, owner: user, fields } = commonPlan(config, ctx);
  const app = await treeEntries({
    hashes: ctx.hashes,
    root: dir,
    dest: appDir,
    skip: (r) => ctx.ignored(r),
    descend: Boolean(ctx.ignoreDescend),
    writable,
    user,
  });
  const program = posix.join(appDir, rel);
  if (!app.entries.some((e) => `/${e.path}` === program))
    throw new AppError('APP_PATH_INVALID', `main ${rel} is excluded by .dockerignore/.distillignore`);
  return {
    kind: 'native',
    reasons,
    base: config.base ?? choice.base,
    entrypoint: [program],
    env: {},
    ...fields,
    layers: [
      {
        name: 'app',
        entries: async () => app.entries,
        key: { kind: 'native-app', appDir, writable, user, files: app.fingerprint },
      },
    ],
    elfFiles: await elfFilesIn(app.entries, dir, appDir),
  };
}

export const nativeDetector: Detector = {
  name: 'native',
  looksFor: 'an ELF executable in the directory (a native binary)',
  detect: detectNative,
};
