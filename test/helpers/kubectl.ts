/**
 * The real kubectl (1.32, Debian 13's) without a cluster. Two checks work offline:
 *  - `kubectl create --dry-run=client --validate=false -o json -f FILE`: kubectl decodes every
 *    document and maps its apiVersion/kind to a resource. The mapping needs API discovery, which
 *    kubectl reads from its discovery cache (`--cache-dir`) while the cache is fresh; this helper
 *    writes that cache for v1, apps/v1, batch/v1 and networking.k8s.io/v1 and a kubeconfig whose
 *    server (kube.example) does not resolve, so nothing is ever contacted. Schema validation
 *    would need the server's OpenAPI document, hence --validate=false (the vendored 1.36 schema
 *    covers that).
 *  - `kubectl set env --local -f FILE … -o json` (Deployment) and `kubectl set selector --local`
 *    (Service) decode the object into kubectl's compiled-in Go types and encode it again: a field
 *    of the wrong type fails, a field the types do not have is dropped — so what comes back,
 *    less the defaults kubectl prints, must equal what went in.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type RunResult, run } from './tools.ts';

const GROUPS: Record<string, { plural: string; kind: string }[]> = {
  v1: [
    { plural: 'pods', kind: 'Pod' },
    { plural: 'services', kind: 'Service' },
  ],
  'apps/v1': [
    { plural: 'deployments', kind: 'Deployment' },
    { plural: 'statefulsets', kind: 'StatefulSet' },
    { plural: 'daemonsets', kind: 'DaemonSet' },
  ],
  'batch/v1': [
    { plural: 'jobs', kind: 'Job' },
    { plural: 'cronjobs', kind: 'CronJob' },
  ],
  'networking.k8s.io/v1': [{ plural: 'networkpolicies', kind: 'NetworkPolicy' }],
};

/** Runs kubectl with the offline kubeconfig and discovery cache. */
export type OfflineKubectl = (args: readonly string[]) => RunResult;

/** Writes a kubeconfig and a fresh discovery cache under `dir`; returns a kubectl runner. */
export async function offlineKubectl(dir: string): Promise<OfflineKubectl> {
  const kubeconfig = join(dir, 'kubeconfig');
  const cache = join(dir, 'cache');
  await mkdir(dir, { recursive: true });
  await writeFile(
    kubeconfig,
    `apiVersion: v1
kind: Config
clusters:
  - name: offline
    cluster: { server: "https://kube.example:6443" }
users:
  - name: offline
    user: { token: offline }
contexts:
  - name: offline
    context: { cluster: offline, user: offline, namespace: default }
current-context: offline
`,
  );
  const disc = join(cache, 'discovery', 'kube.example_6443');
  const groups = Object.keys(GROUPS).map((gv) => {
    const [group, version] = gv.includes('/') ? (gv.split('/') as [string, string]) : ['', gv];
    const v = { groupVersion: gv, version };
    return { name: group, versions: [v], preferredVersion: v };
  });
  await mkdir(disc, { recursive: true });
  await writeFile(
    join(disc, 'servergroups.json'),
    JSON.stringify({ kind: 'APIGroupList', apiVersion: 'v1', groups }),
  );
  for (const [gv, resources] of Object.entries(GROUPS)) {
    await mkdir(join(disc, gv), { recursive: true });
    await writeFile(
      join(disc, gv, 'serverresources.json'),
      JSON.stringify({
        kind: 'APIResourceList',
        apiVersion: 'v1',
        groupVersion: gv,
        resources: resources.map((r) => ({
          name: r.plural,
          singularName: r.kind.toLowerCase(),
          namespaced: true,
          kind: r.kind,
          verbs: ['create', 'get', 'list'],
        })),
      }),
    );
  }
  const env = { ...process.env, HOME: dir, KUBECONFIG: kubeconfig };
  return (args) =>
    run('kubectl', ['--kubeconfig', kubeconfig, '--cache-dir', cache, ...args], { env, timeout: 60_000 });
}

type Json = Record<string, unknown>;

/** `v` without nulls and empty objects/arrays (what kubectl's encoder adds: creationTimestamp: null, status: {}). */
export function pruneEmpty(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(pruneEmpty);
  if (v === null || typeof v !== 'object') return v;
  const out: Json = {};
  for (const [k, x] of Object.entries(v as Json)) {
    const p = pruneEmpty(x);
    if (p === null || p === undefined) continue;
    if (typeof p === 'object' && !Array.isArray(p) && Object.keys(p).length === 0) continue;
    out[k] = p;
  }
  return out;
}
