/**
 * Finds the container `distill debug TARGET` joins: one started by `distill run` (through run's
 * contract, readRunTarget), else a Docker engine container. `run:NAME` and `docker:NAME` ask for
 * one of the two only.
 */
import { type RunError, readRunTarget } from '../run/index.ts';
import { dockerTarget, engineSocket } from './docker-target.ts';
import { DebugError } from './errors.ts';
import type { DebugTarget } from './target-types.ts';

export interface FindTargetOptions {
  env?: NodeJS.ProcessEnv;
  /** The runc binary (default `runc` on PATH). */
  runc?: string;
}

/** `run:NAME`, `docker:NAME` or a bare NAME (both are tried, distill run's first). */
export function parseTargetSpec(spec: string): { where: 'run' | 'docker' | 'any'; name: string } {
  const m = /^(run|docker):(.+)$/.exec(spec);
  if (m) return { where: m[1] as 'run' | 'docker', name: m[2] as string };
  return { where: 'any', name: spec };
}

async function runTarget(name: string, o: FindTargetOptions): Promise<DebugTarget | undefined> {
  let t: Awaited<ReturnType<typeof readRunTarget>>;
  try {
    t = await readRunTarget(name, { ...(o.env ? { env: o.env } : {}), ...(o.runc ? { runc: o.runc } : {}) });
  } catch (e) {
    const code = (e as RunError).code;
    if (code === 'RUN_CONTAINER_NOT_FOUND' || code === 'RUNC_NOT_FOUND') return undefined;
    throw e;
  }
  if (t.status !== 'running')
    throw new DebugError(
      'DEBUG_TARGET_NOT_RUNNING',
      `container ${name} (distill run) is ${t.status}: there is no process to join`,
    );
  return { kind: 'run', id: t.id, name, pid: t.pid, uid: t.uid, gid: t.gid };
}

/**
 * The running container `spec` names. DEBUG_TARGET_NOT_FOUND when no place has it,
 * DEBUG_TARGET_NOT_RUNNING when it is stopped, DEBUG_ENGINE_UNREACHABLE for a `docker:` target
 * whose engine does not answer.
 */
export async function findTarget(spec: string, o: FindTargetOptions = {}): Promise<DebugTarget> {
  const env = o.env ?? process.env;
  const { where, name } = parseTargetSpec(spec);
  if (where !== 'docker') {
    const t = await runTarget(name, o);
    if (t) return t;
    if (where === 'run')
      throw new DebugError(
        'DEBUG_TARGET_NOT_FOUND',
        `no container ${JSON.stringify(name)} started by distill run`,
      );
  }
  let engineNote = '';
  try {
    const t = await dockerTarget(name, engineSocket(env));
    if (t) return t;
  } catch (e) {
    if (where === 'docker' || (e as DebugError).code !== 'DEBUG_ENGINE_UNREACHABLE') throw e;
    engineNote = ` (and the docker engine was not reachable: ${(e as Error).message})`;
  }
  throw new DebugError(
    'DEBUG_TARGET_NOT_FOUND',
    where === 'docker'
      ? `the docker engine has no container ${JSON.stringify(name)}`
      : `no container ${JSON.stringify(name)}: neither distill run nor the docker engine has one${engineNote}`,
  );
}
