/**
 * `distill publish` of the debian13 amd64 catalogue, latest variants (issue 13): into an empty
 * real registry (docker-registry on loopback) — "cold" means the registry, distill's build cache
 * is whatever this machine has — and then again with nothing changed. Every request goes through
 * a counting proxy: the table gives wall time, tags pushed/unchanged, blobs uploaded/mounted, and
 * requests by method. Goal: the unchanged publish ≤ 5 s with only HEAD and GET requests.
 * Needs docker-registry, the Debian archive and the npm registry.
 */

import type { PublishResult } from '../src/publish/index.ts';
import { distillAsync } from '../test/helpers/docker.ts';
import { startFaultProxy } from '../test/registry/fault-proxy.ts';
import { startRegistry } from '../test/registry/registry-server.ts';

const GOAL_UNCHANGED_S = 5;

const cleanups: Array<() => unknown> = [];
const t = { after: (fn: () => unknown) => void cleanups.push(fn) };

async function main(): Promise<number> {
  const reg = await startRegistry(t);
  const proxy = await startFaultProxy(t, reg.host);
  const args = [
    'publish',
    '--registry',
    `${proxy.host}/bench`,
    '--arch',
    'amd64',
    '--variants',
    'latest',
    '--json',
    '-q',
  ];
  const rows: string[] = [];
  let failed = false;
  for (const pass of ['cold', 'unchanged', 'unchanged again']) {
    const before = proxy.records.length;
    const r = await distillAsync(args);
    if (r.status !== 0) {
      console.error(`${pass}: distill publish failed:\n${r.stderr}`);
      return 1;
    }
    const res = JSON.parse(r.stdout) as PublishResult;
    const byMethod = new Map<string, number>();
    for (const x of proxy.records.slice(before)) byMethod.set(x.method, (byMethod.get(x.method) ?? 0) + 1);
    const methods = [...byMethod]
      .sort()
      .map(([m, n]) => `${m} ${n}`)
      .join(', ');
    const s = r.ms / 1000;
    rows.push(
      `${pass.padEnd(16)} ${s.toFixed(2).padStart(6)} s  tags ${res.pushed} pushed / ${res.unchanged} unchanged  blobs ${res.blobs.uploaded} uploaded (${(res.blobs.uploadedBytes / 1e6).toFixed(1)} MB), ${res.blobs.mounted} mounted, ${res.blobs.existing} there  requests: ${methods}`,
    );
    if (pass !== 'cold') {
      const onlyReads = [...byMethod.keys()].every((m) => m === 'HEAD' || m === 'GET');
      const ok = onlyReads && s <= GOAL_UNCHANGED_S;
      rows.push(`${''.padEnd(16)} goal ≤ ${GOAL_UNCHANGED_S} s, only HEAD/GET: ${ok ? 'met' : 'NOT met'}`);
      failed ||= !ok;
    }
  }
  console.log(
    'distill publish, debian13 amd64 catalogue, latest variants (per-arch, index and dated tags, NAME and NAME-debian13 repositories):',
  );
  for (const r of rows) console.log(`  ${r}`);
  return failed ? 1 : 0;
}

main()
  .then(async (code) => {
    for (const c of cleanups.reverse()) await c();
    process.exit(code);
  })
  .catch(async (e) => {
    console.error(e);
    for (const c of cleanups.reverse()) await c();
    process.exit(1);
  });
