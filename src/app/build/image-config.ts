/** The application image's config: the base's, with the plan's and distill.yaml's changes on top. */

import { WRITABLE_LABEL } from '../../assemble/index.ts';
import { applyConfigChanges, type Image, type ImageConfig, isoTime } from '../../oci/index.ts';
import type { AppConfig, AppPlan } from '../types.ts';
import type { GitSource } from './git-source.ts';

export const BASE_NAME = 'org.opencontainers.image.base.name';
export const BASE_DIGEST = 'org.opencontainers.image.base.digest';
export { WRITABLE_LABEL };

/** The final entrypoint/cmd/env/... after distill.yaml and flags override the detected plan. */
export function effectivePlan(plan: AppPlan, c: AppConfig): AppPlan {
  const entrypoint = c.entrypoint ?? plan.entrypoint;
  // A new entrypoint without cmd drops the detected cmd, as docker does with ENTRYPOINT.
  const cmd = c.cmd ?? (c.entrypoint ? undefined : plan.cmd);
  return {
    ...plan,
    base: c.base ?? plan.base,
    entrypoint,
    ...(cmd ? { cmd } : { cmd: undefined }),
    env: { ...plan.env, ...(c.env ?? {}) },
    workdir: c.workdir ?? plan.workdir,
    ports: c.ports ?? plan.ports,
    user: c.user ?? plan.user,
  };
}

/** Config of the image: base config + changes, history entries for the added layers, times from SOURCE_DATE_EPOCH. */
export function appImageConfig(
  base: Image,
  plan: AppPlan,
  c: AppConfig,
  addedLayers: readonly string[],
  epoch: number,
): Omit<ImageConfig, 'rootfs'> {
  const created = isoTime(epoch);
  const container = applyConfigChanges(base.config.config, {
    entrypoint: plan.entrypoint,
    ...(plan.cmd ? { cmd: plan.cmd } : {}),
    env: Object.entries(plan.env).map(([k, v]) => `${k}=${v}`),
    user: plan.user,
    workdir: plan.workdir,
    ...(c.labels || c.writable?.length
      ? {
          labels: {
            ...(c.writable?.length ? { [WRITABLE_LABEL]: JSON.stringify([...c.writable].sort()) } : {}),
            ...(c.labels ?? {}),
          },
        }
      : {}),
    ports: plan.ports,
  });
  if (!plan.cmd) delete container.Cmd;
  const { rootfs: _r, ...rest } = base.config;
  return {
    ...rest,
    created,
    config: container,
    history: [
      ...(base.config.history ?? []),
      ...addedLayers.map((name) => ({ created, created_by: `distill build: ${name} layer` })),
    ],
  };
}

/**
 * Manifest annotations: the base's name and digest (as ko sets them); the project's git origin,
 * commit and tag as source, revision and version (as `docker buildx` does); then distill.yaml's,
 * which win.
 */
export function appAnnotations(
  baseName: string,
  base: Image,
  c: AppConfig,
  vcs: GitSource = {},
): Record<string, string> {
  return {
    [BASE_NAME]: baseName,
    [BASE_DIGEST]: base.descriptor.digest,
    ...(vcs.source ? { 'org.opencontainers.image.source': vcs.source } : {}),
    ...(vcs.revision ? { 'org.opencontainers.image.revision': vcs.revision } : {}),
    ...(vcs.version ? { 'org.opencontainers.image.version': vcs.version } : {}),
    ...(c.annotations ?? {}),
  };
}
