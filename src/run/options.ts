/**
 * Checking `distill run`'s inputs before anything is opened or written: `--volume SRC:DST[:ro|rw]`,
 * `--env K=V`, `--network none|host`, `--name` (a runc container id).
 */
import { isAbsolute, resolve } from 'node:path';
import { RunError } from './errors.ts';
import type { BindVolume } from './spec.ts';

/** `SRC:DST[:ro|rw]` → a bind mount (SRC resolved against `cwd`). Pure. */
export function parseVolume(spec: string, cwd: string = process.cwd()): BindVolume {
  const parts = spec.split(':');
  const mode = parts.length === 3 ? parts[2] : undefined;
  const [src, dst] = parts;
  if (
    parts.length < 2 ||
    parts.length > 3 ||
    !src ||
    !dst ||
    (mode !== undefined && mode !== 'ro' && mode !== 'rw')
  )
    throw new RunError(
      'RUN_VOLUME_INVALID',
      `--volume ${JSON.stringify(spec)}: use SRC:DST or SRC:DST:ro (or :rw)`,
    );
  if (!isAbsolute(dst))
    throw new RunError(
      'RUN_VOLUME_INVALID',
      `--volume ${JSON.stringify(spec)}: DST must be an absolute path in the container`,
    );
  if (dst.split('/').includes('..'))
    throw new RunError('RUN_VOLUME_INVALID', `--volume ${JSON.stringify(spec)}: DST may not contain ..`);
  return { source: resolve(cwd, src), destination: dst.replace(/\/+$/, '') || '/', readonly: mode === 'ro' };
}

/** `K=V` (a bare `K` takes the caller's value of K, as docker does; absent → refused). */
export function parseEnv(spec: string, env: NodeJS.ProcessEnv = process.env): string {
  const i = spec.indexOf('=');
  const key = i < 0 ? spec : spec.slice(0, i);
  if (!/^[A-Za-z_][A-Za-z0-9_.-]*$/.test(key))
    throw new RunError('RUN_ENV_INVALID', `--env ${JSON.stringify(spec)}: use KEY=VALUE`);
  if (i >= 0) return spec;
  const v = env[key];
  if (v === undefined)
    throw new RunError(
      'RUN_ENV_INVALID',
      `--env ${key}: no value given and ${key} is not set here (use KEY=VALUE)`,
    );
  return `${key}=${v}`;
}

export function parseNetwork(s: string | undefined): 'none' | 'host' {
  if (s === undefined || s === 'none') return 'none';
  if (s === 'host') return 'host';
  throw new RunError(
    'RUN_NETWORK_INVALID',
    `--network ${JSON.stringify(s)}: use none (the default: own loopback only) or host`,
  );
}

/** A container name runc accepts as an id. */
export function checkName(name: string, what = '--name'): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/.test(name))
    throw new RunError(
      'RUN_NAME_INVALID',
      `${what} ${JSON.stringify(name)}: use letters, digits, _ . - (starting with a letter or digit)`,
    );
  return name;
}
