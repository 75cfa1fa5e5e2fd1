/**
 * The Docker Engine API over its unix socket. `--load` and the `docker-daemon:` sink: POST
 * /images/load with a docker-archive tar as the body, then the JSON-lines progress stream read to
 * the end, where a failure shows up as a `{"error": ...}` line even though the status was 200.
 * The `docker-daemon:` source: GET /images/{name}/get, the same tar `docker save` writes. No docker CLI.
 */

import { createReadStream, createWriteStream } from 'node:fs';
import { rename, rm, stat } from 'node:fs/promises';
import { type ClientRequest, request } from 'node:http';
import { pipeline } from 'node:stream/promises';
import { CodedError } from '../coded-error.ts';

export type DockerEngineErrorCode =
  /** No socket (DOCKER_HOST not unix://, or nothing listening). */
  | 'DOCKER_ENGINE_UNREACHABLE'
  /** The engine answered with an error status or an error line. */
  | 'DOCKER_LOAD_FAILED'
  /** `docker-daemon:NAME`: the engine has no such image. */
  | 'DOCKER_IMAGE_NOT_FOUND'
  /** `docker-daemon:NAME`: the engine failed while exporting it. */
  | 'DOCKER_SAVE_FAILED';

export class DockerEngineError extends CodedError<DockerEngineErrorCode> {
  override readonly name = 'DockerEngineError';
}

/** The engine's socket: DOCKER_HOST=unix:///path, else /var/run/docker.sock. */
export function dockerSocket(env: Readonly<Record<string, string | undefined>>): string {
  const host = env.DOCKER_HOST;
  if (!host) return '/var/run/docker.sock';
  if (host.startsWith('unix://')) return host.slice('unix://'.length);
  throw new DockerEngineError(
    'DOCKER_ENGINE_UNREACHABLE',
    `DOCKER_HOST=${host}: --load speaks to the engine over a unix socket only (unix:///var/run/docker.sock)`,
  );
}

export interface LoadResult {
  /** What the engine said it loaded (`Loaded image: app:latest`). */
  messages: string[];
}

/** Streams the docker-archive at `archivePath` into the engine behind `socketPath`. */
export async function loadDockerArchive(archivePath: string, socketPath: string): Promise<LoadResult> {
  const size = (await stat(archivePath)).size;
  return new Promise<LoadResult>((resolve, reject) => {
    const req = request(
      {
        socketPath,
        method: 'POST',
        path: '/images/load',
        headers: { 'Content-Type': 'application/x-tar', 'Content-Length': size, Host: 'docker' },
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => {
          body += c;
        });
        res.on('error', (e) =>
          reject(new DockerEngineError('DOCKER_LOAD_FAILED', `engine response: ${e.message}`, { cause: e })),
        );
        res.on('end', () => {
          if ((res.statusCode ?? 0) >= 300) {
            let msg = body.trim();
            try {
              msg = (JSON.parse(body) as { message?: string }).message ?? msg;
            } catch {}
            return reject(
              new DockerEngineError('DOCKER_LOAD_FAILED', `docker engine: ${res.statusCode}: ${msg}`),
            );
          }
          const messages: string[] = [];
          for (const line of body.split('\n')) {
            if (!line.trim()) continue;
            let j: { stream?: string; error?: string; errorDetail?: { message?: string } };
            try {
              j = JSON.parse(line);
            } catch {
              messages.push(line.trim());
              continue;
            }
            if (j.error || j.errorDetail)
              return reject(
                new DockerEngineError(
                  'DOCKER_LOAD_FAILED',
                  `docker engine: ${j.errorDetail?.message ?? j.error}`,
                ),
              );
            if (j.stream?.trim()) messages.push(j.stream.trim());
          }
          resolve({ messages });
        });
      },
    );
    onReachError(req, socketPath, 'DOCKER_LOAD_FAILED', reject);
    const file = createReadStream(archivePath, { highWaterMark: 1 << 20 });
    file.on('error', (e) => req.destroy(e));
    file.pipe(req);
  });
}

/** A request that cannot reach the socket: UNREACHABLE when nothing listens, else `code`. */
function onReachError(
  req: ClientRequest,
  socketPath: string,
  code: DockerEngineErrorCode,
  reject: (e: Error) => void,
): void {
  req.on('error', (e: NodeJS.ErrnoException) =>
    reject(
      new DockerEngineError(
        ['ENOENT', 'ECONNREFUSED', 'EACCES'].includes(e.code ?? '') ? 'DOCKER_ENGINE_UNREACHABLE' : code,
        `cannot reach the docker engine at ${socketPath}: ${e.message}`,
        { cause: e },
      ),
    ),
  );
}

/**
 * Exports image `name` (`app:1.0`, or an image id) from the engine into a docker-archive at
 * `file`, written aside and renamed, so a failure leaves no file.
 */
export async function saveDockerImage(name: string, socketPath: string, file: string): Promise<void> {
  const res = await new Promise<import('node:http').IncomingMessage>((resolve, reject) => {
    const req = request(
      {
        socketPath,
        method: 'GET',
        path: `/images/${encodeURIComponent(name)}/get`,
        headers: { Host: 'docker' },
      },
      resolve,
    );
    onReachError(req, socketPath, 'DOCKER_SAVE_FAILED', reject);
    req.end();
  });
  const status = res.statusCode ?? 0;
  if (status >= 300) {
    let body = '';
    for await (const c of res) body += String(c);
    let msg = body.trim();
    try {
      msg = (JSON.parse(body) as { message?: string }).message ?? msg;
    } catch {}
    throw new DockerEngineError(
      status === 404 ? 'DOCKER_IMAGE_NOT_FOUND' : 'DOCKER_SAVE_FAILED',
      `docker engine: ${status}: ${msg}`,
    );
  }
  const part = `${file}.part`;
  try {
    await pipeline(res, createWriteStream(part));
    await rename(part, file);
  } catch (e) {
    await rm(part, { force: true });
    if (e instanceof DockerEngineError) throw e;
    throw new DockerEngineError('DOCKER_SAVE_FAILED', `exporting ${name}: ${(e as Error).message}`, {
      cause: e,
    });
  }
}
