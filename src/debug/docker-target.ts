import { request } from 'node:http';
import { dockerSocket } from '../transports/index.ts';
import { DebugError } from './errors.ts';
import { targetFile } from './target-file.ts';
import type { DebugTarget } from './target-types.ts';
import { resolveUser } from './user.ts';

interface ContainerJson {
  Id: string;
  Name: string;
  State: { Running: boolean; Paused: boolean; Status: string; Pid: number };
  Config: { User?: string; Image?: string };
}

type Inspect = { status: 'found'; json: ContainerJson } | { status: 'missing' };

/** `GET /containers/{name}/json`; DEBUG_ENGINE_UNREACHABLE when nothing answers on the socket. */
export function inspectContainer(name: string, socketPath: string): Promise<Inspect> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        socketPath,
        method: 'GET',
        path: `/containers/${encodeURIComponent(name)}/json`,
        headers: { Host: 'docker' },
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => {
          body += c;
        });
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          if (status === 404) return resolve({ status: 'missing' });
          if (status >= 300) {
            let msg = body.trim();
            try {
              msg = (JSON.parse(body) as { message?: string }).message ?? msg;
            } catch {}
            return reject(new DebugError('DEBUG_ENGINE_FAILED', `docker engine: ${status}: ${msg}`));
          }
          try {
            resolve({ status: 'found', json: JSON.parse(body) as ContainerJson });
          } catch (e) {
            reject(
              new DebugError('DEBUG_ENGINE_FAILED', `docker engine: unreadable container JSON`, { cause: e }),
            );
          }
        });
      },
    );
    req.on('error', (e) =>
      reject(
        new DebugError(
          'DEBUG_ENGINE_UNREACHABLE',
          `cannot reach the docker engine at ${socketPath}: ${e.message}`,
          {
            cause: e,
          },
        ),
      ),
    );
    req.end();
  });
}

/** The engine's socket for `env`, as a debug error when DOCKER_HOST is not a unix socket. */
export function engineSocket(env: NodeJS.ProcessEnv): string {
  try {
    return dockerSocket(env);
  } catch (e) {
    throw new DebugError('DEBUG_ENGINE_UNREACHABLE', (e as Error).message, { cause: e });
  }
}

/**
 * The running Docker container `name` as a debug target; undefined when the engine has no such
 * container. DEBUG_TARGET_NOT_RUNNING for a stopped or paused one.
 */
export async function dockerTarget(name: string, socketPath: string): Promise<DebugTarget | undefined> {
  const r = await inspectContainer(name, socketPath);
  if (r.status === 'missing') return undefined;
  const c = r.json;
  const shown = `${c.Name.replace(/^\//, '')} (${c.Id.slice(0, 12)})`;
  if (!c.State.Running || c.State.Paused || !c.State.Pid)
    throw new DebugError(
      'DEBUG_TARGET_NOT_RUNNING',
      `docker container ${shown} is ${c.State.Status}: start it (docker start) before debugging it`,
    );
  const pid = c.State.Pid;
  const user = c.Config.User ?? '';
  const ids = resolveUser(user, await targetFile(pid, '/etc/passwd'), await targetFile(pid, '/etc/group'));
  return { kind: 'docker', id: c.Id, name: shown, pid, uid: ids.uid, gid: ids.gid, user };
}
