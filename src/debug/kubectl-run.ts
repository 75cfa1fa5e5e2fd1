/**
 * The cluster side of `distill debug --kubectl --run`: the pod (and its namespace's Pod Security
 * label) read with `kubectl get`, and `kubectl debug` run on the caller's terminal with the
 * --custom file, when needed, written to a temporary file.
 */
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DebugError } from './errors.ts';
import { CUSTOM_PLACEHOLDER, type KubectlPlan } from './kubectl.ts';
import { type Pod, parsePod } from './pod.ts';

export interface KubectlOptions {
  kubectl?: string;
  env?: NodeJS.ProcessEnv;
}

function kubectlOut(args: string[], o: KubectlOptions): Promise<string> {
  const kubectl = o.kubectl ?? 'kubectl';
  return new Promise((resolve, reject) => {
    execFile(kubectl, args, { env: o.env ?? process.env, maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      if (!err) return resolve(stdout);
      const e = err as NodeJS.ErrnoException;
      reject(
        new DebugError(
          'DEBUG_KUBECTL_FAILED',
          e.code === 'ENOENT'
            ? `${kubectl} is not installed (Debian package kubectl)`
            : `kubectl ${args.join(' ')}: ${String(stderr).trim() || e.message}`,
          { cause: err },
        ),
      );
    });
  });
}

/** `kubectl get pod NAME -o json`, parsed. */
export async function getPod(
  name: string,
  namespace: string | undefined,
  o: KubectlOptions = {},
): Promise<Pod> {
  const ns = namespace ? ['-n', namespace] : [];
  return parsePod(await kubectlOut(['get', 'pod', name, ...ns, '-o', 'json'], o), `pod ${name}`);
}

/** Whether namespace `ns` enforces the restricted Pod Security Standard; false when it cannot be read. */
export async function namespaceRestricted(ns: string | undefined, o: KubectlOptions = {}): Promise<boolean> {
  if (!ns) return false;
  try {
    const j = JSON.parse(await kubectlOut(['get', 'namespace', ns, '-o', 'json'], o)) as {
      metadata?: { labels?: Record<string, string> };
    };
    return j.metadata?.labels?.['pod-security.kubernetes.io/enforce'] === 'restricted';
  } catch {
    return false;
  }
}

/** Runs `kubectl ARGS` on the caller's terminal; resolves to its exit status. */
export async function runKubectl(
  args: readonly string[],
  plan: KubectlPlan,
  o: KubectlOptions = {},
): Promise<number> {
  const kubectl = o.kubectl ?? 'kubectl';
  const dir = plan.custom ? await mkdtemp(join(tmpdir(), 'distill-debug-')) : undefined;
  try {
    const file = dir ? join(dir, 'custom.json') : '';
    if (dir) await writeFile(file, JSON.stringify(plan.custom));
    const real = args.map((a) => (a === `--custom=${CUSTOM_PLACEHOLDER}` ? `--custom=${file}` : a));
    return await new Promise<number>((resolve, reject) => {
      const p = spawn(kubectl, real, { stdio: 'inherit', env: o.env ?? process.env });
      p.on('error', (e: NodeJS.ErrnoException) =>
        reject(
          new DebugError(
            'DEBUG_KUBECTL_FAILED',
            e.code === 'ENOENT' ? `${kubectl} is not installed (Debian package kubectl)` : e.message,
            { cause: e },
          ),
        ),
      );
      p.on('close', (code) => resolve(code ?? 1));
    });
  } finally {
    if (dir) await rm(dir, { recursive: true, force: true });
  }
}
