/**
 * The plan when no detector recognises the project but distill.yaml names a base and an
 * entrypoint (or `kind: files`): the project's files, minus ignored ones, under the workdir.
 */
import { treeEntries } from './layout.ts';
import { commonPlan } from './plan-common.ts';
import type { AppConfig, AppPlan, DetectContext } from './types.ts';

/** Undefined unless the config has both `base` and `entrypoint`. */
export async function filesPlan(
  dir: string,
  config: AppConfig,
  ctx: DetectContext,
): Promise<AppPlan | undefined> {
  if (!config.base || !config.entrypoint) return undefined;
  const { appDir, writable, owner, fields } = commonPlan(config, ctx);
  const tree = await treeEntries({
    hashes: ctx.hashes,
    root: dir,
    dest: appDir,
    skip: ctx.ignored,
    descend: Boolean(ctx.ignoreDescend),
    writable,
    user: owner,
  });
  return {
    kind: 'files',
    reasons: [
      `no detector recognised the project; distill.yaml gives base ${config.base} and an entrypoint: the project's files go to ${appDir} as they are`,
    ],
    base: config.base,
    entrypoint: config.entrypoint,
    ...(config.cmd ? { cmd: config.cmd } : {}),
    env: {},
    ...fields,
    layers: [
      {
        name: 'app',
        entries: async () => tree.entries,
        key: { kind: 'files-app', appDir, writable, user: ctx.user, files: tree.fingerprint },
      },
    ],
    elfFiles: [],
  };
}
