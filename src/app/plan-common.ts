/** What every detector takes from distill.yaml and the command line the same way. */
import { type Owner, parseOwner } from './layout.ts';
import type { AppConfig, AppPlan, DetectContext } from './types.ts';

/**
 * The application directory, its writable subdirectories, and the plan fields copied as they are
 * (release, workdir, ports, user, extra packages): the command line wins over distill.yaml.
 */
export function commonPlan(
  config: AppConfig,
  ctx: DetectContext,
): {
  appDir: string;
  writable: readonly string[];
  /** The runtime user as uid/gid, for the layers' file owners. */
  owner: Owner;
  fields: Pick<AppPlan, 'debian' | 'workdir' | 'ports' | 'user' | 'extraPackages'>;
} {
  const appDir = ctx.appDir ?? config.workdir ?? '/app';
  return {
    appDir,
    writable: ctx.writable ?? config.writable ?? [],
    owner: parseOwner(ctx.user),
    fields: {
      ...(config.debian !== undefined ? { debian: config.debian } : {}),
      workdir: appDir,
      ports: config.ports ?? [],
      user: ctx.user,
      extraPackages: config.packages ?? [],
    },
  };
}
