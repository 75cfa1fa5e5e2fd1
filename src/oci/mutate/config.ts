/** Pure changes to an image config: what `--entrypoint`, `--env`, `--user` ... ask for. */
import type { ContainerConfig, ImageConfig } from '../types.ts';

export interface ConfigChanges {
  entrypoint?: string[];
  cmd?: string[];
  /** KEY=VALUE pairs; a key already present is replaced in place, new keys are appended. */
  env?: string[];
  user?: string;
  workdir?: string;
  labels?: Record<string, string>;
  /** "8080/tcp" or "8080" (tcp). */
  ports?: string[];
  volumes?: string[];
  stopSignal?: string;
}

/** Returns a new container config with the changes applied. */
export function applyConfigChanges(base: ContainerConfig | undefined, ch: ConfigChanges): ContainerConfig {
  const c: ContainerConfig = { ...base };
  if (ch.entrypoint) {
    c.Entrypoint = ch.entrypoint;
    // As docker does: a new entrypoint drops the inherited cmd unless a cmd is given too.
    if (!ch.cmd) delete c.Cmd;
  }
  if (ch.cmd) c.Cmd = ch.cmd;
  if (ch.env?.length) c.Env = mergeEnv(c.Env ?? [], ch.env);
  if (ch.user !== undefined) c.User = ch.user;
  if (ch.workdir !== undefined) c.WorkingDir = ch.workdir;
  if (ch.labels && Object.keys(ch.labels).length) c.Labels = { ...c.Labels, ...ch.labels };
  if (ch.ports?.length) {
    c.ExposedPorts = { ...c.ExposedPorts };
    for (const p of ch.ports) c.ExposedPorts[p.includes('/') ? p : `${p}/tcp`] = {};
  }
  if (ch.volumes?.length) {
    c.Volumes = { ...c.Volumes };
    for (const v of ch.volumes) c.Volumes[v] = {};
  }
  if (ch.stopSignal) c.StopSignal = ch.stopSignal;
  return c;
}

/** Env lists merge by key, keeping the first occurrence's position. */
export function mergeEnv(base: readonly string[], add: readonly string[]): string[] {
  const out = [...base];
  for (const kv of add) {
    const key = kv.split('=', 1)[0];
    const i = out.findIndex((x) => x.split('=', 1)[0] === key);
    if (i >= 0) out[i] = kv;
    else out.push(kv);
  }
  return out;
}

/** ISO 8601 time of a SOURCE_DATE_EPOCH value, as image configs carry it. */
export function isoTime(epochSeconds: number): string {
  return new Date(epochSeconds * 1000).toISOString().replace('.000Z', 'Z');
}

/** A config for a fresh image (FROM scratch) on a platform. */
export function emptyConfig(
  platform: { os: string; architecture: string; variant?: string },
  created: number,
): Omit<ImageConfig, 'rootfs'> {
  return {
    created: isoTime(created),
    architecture: platform.architecture,
    os: platform.os,
    ...(platform.variant ? { variant: platform.variant } : {}),
    config: {},
  };
}
