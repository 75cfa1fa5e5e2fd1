/**
 * End-to-end helpers for images that run in the real Docker engine: building catalogue images with
 * the CLI (several at once, as child processes), `docker load`, `docker run`, removing what a test
 * loaded, and the small test programs (C, C++, Java) the images run.
 */
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import { run, runOk } from './tools.ts';

const BIN = fileURLToPath(new URL('../../../bin/distill.js', import.meta.url));

export interface AsyncRunResult {
  status: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Runs a program without blocking the event loop (so several overlap); never rejects. */
export function runAsync(
  cmd: string,
  args: readonly string[],
  env: Record<string, string> = {},
): Promise<AsyncRunResult> {
  const started = performance.now();
  return new Promise((resolve) => {
    const p = spawn(cmd, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
    });
    p.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
    });
    p.on('error', (e) => {
      stderr += String(e);
    });
    p.on('close', (status) => resolve({ status, stdout, stderr, ms: performance.now() - started }));
  });
}

/** Runs `distill ARGS` (the built CLI) as a child process without blocking the event loop. */
export function distillAsync(args: string[], env: Record<string, string> = {}): Promise<AsyncRunResult> {
  return runAsync(process.execPath, [BIN, ...args], env);
}

/**
 * Requires a file a test builds against (a header, not a program): skips locally, fails under
 * CI=true, naming the Debian package.
 */
export function needFile(t: TestContext, path: string, debPackage: string): boolean {
  if (existsSync(path)) return true;
  const msg = `${path} is missing (Debian package ${debPackage}; .ci/run installs it)`;
  if (process.env.CI === 'true') throw new Error(`${msg}: end-to-end tests may not skip under CI=true`);
  t.skip(msg);
  return false;
}

/**
 * A concurrency limit: at most `n` of the functions given to it run at once, in the order given,
 * except that `urgent` ones go to the front of the queue.
 */
export function limiter(n: number): <T>(f: () => Promise<T>, urgent?: boolean) => Promise<T> {
  let active = 0;
  const queue: Array<() => void> = [];
  const next = () => {
    if (active >= n) return;
    const go = queue.shift();
    if (go) {
      active++;
      go();
    }
  };
  return <T>(f: () => Promise<T>, urgent = false) =>
    new Promise<T>((resolve, reject) => {
      const go = () => {
        f()
          .then(resolve, reject)
          .finally(() => {
            active--;
            next();
          });
      };
      if (urgent) queue.unshift(go);
      else queue.push(go);
      next();
    });
}

/** What `distill base ... --json` prints (the parts the tests read). */
export interface BaseResult {
  digest: string;
  mediaType: string;
  name: string;
  variant: string;
  debian: number;
  runtimeVersion?: string;
  layout?: { path: string; tag: string };
  archive?: { path: string; tags: string[] };
  platforms: Array<{
    arch: string;
    layers: Array<{
      kind: string;
      digest: string;
      size: number;
      uncompressedSize: number;
      cached: boolean;
      slimSavedBytes?: number;
    }>;
  }>;
  slimSavedBytes?: number;
  elapsedMs: number;
}

/** Builds `ref` with `distill base ... --json` (extra args appended); throws with stderr on failure. */
export async function buildBase(
  ref: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<BaseResult & { ms: number }> {
  const r = await distillAsync(['base', ref, ...args, '--json'], env);
  if (r.status !== 0)
    throw new Error(`distill base ${ref} ${args.join(' ')} exited ${r.status}:\n${r.stderr}`);
  return { ...(JSON.parse(r.stdout) as BaseResult), ms: r.ms };
}

/** Loads a docker archive (without blocking); returns the tags docker reports. */
export async function dockerLoad(archive: string): Promise<string[]> {
  const r = await runAsync('docker', ['load', '-q', '-i', archive]);
  if (r.status !== 0) throw new Error(`docker load -i ${archive} exited ${r.status}:\n${r.stderr}`);
  return [...r.stdout.matchAll(/Loaded image: (\S+)/g)].map((m) => m[1] as string);
}

/** `docker run --rm --network host ARGS`; never throws (check status). */
export function dockerRun(args: readonly string[], timeout = 120_000) {
  return run('docker', ['run', '--rm', '--network', 'host', ...args], { timeout });
}

/** `docker run` that must succeed: returns stdout, throws with stderr otherwise. */
export function dockerRunOk(args: readonly string[], timeout = 120_000): string {
  const r = dockerRun(args, timeout);
  if (r.status !== 0)
    throw new Error(`docker run ${args.join(' ')} exited ${r.status}:\n${r.stderr}${r.stdout}`);
  return r.stdout;
}

/** `docker image inspect` of one image, parsed. */
export function dockerInspect(image: string): {
  Config: { User?: string; WorkingDir?: string; Entrypoint?: string[] | null; Env?: string[] };
  RootFS: { Layers: string[] };
} {
  return JSON.parse(runOk('docker', ['image', 'inspect', image]))[0];
}

/** Removes images (by tag); missing ones are not an error. */
export function dockerRemove(images: readonly string[]): void {
  if (images.length > 0) spawnSync('docker', ['rmi', '-f', ...images], { stdio: 'ignore' });
}

const TOOL_C = String.raw`
#include <stdio.h>
#include <string.h>
#include <unistd.h>
/* t            prints "hello static uid=N"
   t cat FILE   copies FILE to stdout (the static image has no cat) */
int main(int argc, char **argv) {
  if (argc == 3 && strcmp(argv[1], "cat") == 0) {
    FILE *f = fopen(argv[2], "r");
    if (!f) { perror(argv[2]); return 2; }
    char buf[4096]; size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0) fwrite(buf, 1, n, stdout);
    return 0;
  }
  printf("hello static uid=%d\n", (int)getuid());
  return 0;
}
`;

const SSL_C = String.raw`
#include <stdio.h>
#include <openssl/ssl.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
int main(void) {
  SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
  if (!ctx) return 3;
  unsigned char md[EVP_MAX_MD_SIZE]; unsigned int len = 0;
  EVP_Digest("abc", 3, md, &len, EVP_sha256(), NULL);
  printf("%s sha256(abc)=%02x%02x%02x%02x\n", OpenSSL_version(OPENSSL_VERSION), md[0], md[1], md[2], md[3]);
  SSL_CTX_free(ctx);
  return 0;
}
`;

const CC_CPP = `
#include <iostream>
#include <map>
#include <stdexcept>
#include <string>
int main() {
  std::map<std::string, int> m{{"cc", 1}};
  try { throw std::runtime_error("thrown"); }
  catch (const std::exception &e) { std::cout << "c++ ok " << e.what() << " " << m["cc"] << std::endl; }
  return 0;
}
`;

const CERTS_JAVA = `
import java.security.KeyStore;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
public class Certs {
  public static void main(String[] a) throws Exception {
    TrustManagerFactory f = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    f.init((KeyStore) null);
    X509TrustManager tm = (X509TrustManager) f.getTrustManagers()[0];
    System.out.println("trusted=" + tm.getAcceptedIssuers().length + " java=" + System.getProperty("java.version"));
  }
}
`;

/**
 * Compiles the test programs into `dir` (made world-readable, for nonroot runs through a
 * read-only bind mount): `tool` (static C), `ssl` (dynamic, libssl), `cpp` (C++), `certs.jar`.
 * Each is compiled only when asked for, so tests can need just their tools.
 */
export const testPrograms = {
  tool(dir: string): string {
    writeFileSync(join(dir, 'tool.c'), TOOL_C);
    runOk('gcc', ['-static', '-O2', '-o', join(dir, 'tool'), join(dir, 'tool.c')]);
    return openUp(dir, 'tool');
  },
  ssl(dir: string): string {
    writeFileSync(join(dir, 'ssl.c'), SSL_C);
    runOk('gcc', ['-O2', '-o', join(dir, 'ssl'), join(dir, 'ssl.c'), '-lssl', '-lcrypto']);
    return openUp(dir, 'ssl');
  },
  cpp(dir: string): string {
    writeFileSync(join(dir, 'cpp.cc'), CC_CPP);
    // -fopenmp-free plain C++: libstdc++ and libgcc_s come from the cc layer.
    runOk('g++', ['-O2', '-o', join(dir, 'cpp'), join(dir, 'cpp.cc')]);
    return openUp(dir, 'cpp');
  },
  jar(dir: string): string {
    const src = join(dir, 'Certs.java');
    writeFileSync(src, CERTS_JAVA);
    runOk('javac', ['--release', '17', '-d', join(dir, 'classes'), src]);
    runOk('jar', [
      '--create',
      '--file',
      join(dir, 'certs.jar'),
      '--main-class',
      'Certs',
      '-C',
      join(dir, 'classes'),
      '.',
    ]);
    return openUp(dir, 'certs.jar');
  },
};

function openUp(dir: string, file: string): string {
  chmodSync(dir, 0o755);
  chmodSync(join(dir, file), 0o755);
  return file;
}
