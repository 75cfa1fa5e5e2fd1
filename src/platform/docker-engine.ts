/**
 * The Docker Engine API over its unix socket, for `--load`: POST /images/load with a
 * docker-archive tar as the body, then the JSON-lines progress stream read to the end, where a
 * failure shows up as a `{"error": ...}` line even though the status was 200. No docker CLI.
 */

import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { request } from 'node:http';
import { CodedError } from '../coded-error.ts';

export type DockerEngineErrorCode =
  /** No socket (DOCKER_HOST not unix://, or nothing listening). */
  | 'DOCKER_ENGINE_UNREACHABLE'
  /** The engine answered with an error status or an error line. */
  | 'DOCKER_LOAD_FAILED';

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
    req.on('error', (e: NodeJS.ErrnoException) =>
      reject(
        new DockerEngineError(
          ['ENOENT', 'ECONNREFUSED', 'EACCES'].includes(e.code ?? '')
            ? 'DOCKER_ENGINE_UNREACHABLE'
            : 'DOCKER_LOAD_FAILED',
          `cannot reach the docker engine at ${socketPath}: ${e.message}`,
          { cause: e },
        ),
      ),
    );
    const file = createReadStream(archivePath, { highWaterMark: 1 << 20 });
    file.on('error', (e) => req.destroy(e));
    file.pipe(req);
  });
}
