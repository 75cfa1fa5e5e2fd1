/**
 * The real CNCF distribution registry (Debian's docker-registry) for end-to-end tests: started on
 * 127.0.0.1 with a free port, a temporary storage directory and config, and optionally htpasswd
 * or token auth. Stopped (and its files removed) when the test ends.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';

export interface RegistryServer {
  /** `127.0.0.1:PORT` */
  host: string;
  port: number;
  dir: string;
  /** Everything the registry printed (its access log included). */
  log(): string;
  stop(): Promise<void>;
}

export type RegistryAuthConfig =
  | { type: 'htpasswd'; file: string }
  | { type: 'token'; realm: string; service: string; issuer: string; certFile: string };

/** A port nobody listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => resolve(typeof a === 'object' && a ? a.port : 0));
    });
  });
}

function authYaml(a?: RegistryAuthConfig): string {
  if (!a) return '';
  if (a.type === 'htpasswd') return `auth:\n  htpasswd:\n    realm: distill-test\n    path: ${a.file}\n`;
  return `auth:\n  token:\n    realm: ${a.realm}\n    service: ${a.service}\n    issuer: ${a.issuer}\n    rootcertbundle: ${a.certFile}\n`;
}

export async function startRegistry(
  t: Pick<TestContext, 'after'>,
  auth?: RegistryAuthConfig,
): Promise<RegistryServer> {
  const dir = await mkdtemp(join(tmpdir(), 'distill-registry-'));
  const port = await freePort();
  const config = join(dir, 'config.yml');
  await writeFile(
    config,
    `version: 0.1
log:
  level: info
  accesslog:
    disabled: false
storage:
  filesystem:
    rootdirectory: ${join(dir, 'data')}
  delete:
    enabled: true
http:
  addr: 127.0.0.1:${port}
  secret: distill-test-secret
${authYaml(auth)}`,
  );
  let out = '';
  const child: ChildProcess = spawn('docker-registry', ['serve', config], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (b: Buffer) => {
    out += b.toString();
  });
  child.stderr?.on('data', (b: Buffer) => {
    out += b.toString();
  });
  const exited = new Promise<void>((r) => child.on('exit', () => r()));
  const stop = async () => {
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
    }
    await rm(dir, { recursive: true, force: true });
  };
  t.after(stop);
  const host = `127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    try {
      const r = await fetch(`http://${host}/v2/`);
      await r.arrayBuffer();
      if (r.status === 200 || r.status === 401) break;
    } catch {
      // not up yet
    }
    if (child.exitCode !== null || i > 100) throw new Error(`docker-registry did not start:\n${out}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return { host, port, dir, log: () => out, stop };
}
