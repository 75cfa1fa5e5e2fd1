// Writes schema/vendor/kubernetes-1.36/kubernetes-workloads.json from a Kubernetes OpenAPI v2
// document (swagger.json): the definitions that the workload kinds, Service and NetworkPolicy
// reach through $ref, unchanged but for their `description` texts (dropped: they are nine tenths
// of the bytes). The tests turn it into JSON Schema for Ajv (test/helpers/kube-schema.ts).
//
//   node scripts/vendor-kubernetes-schema.mjs SWAGGER_JSON [OUT]
//
// See schema/vendor/kubernetes-1.36/README.md for where the swagger.json came from.
import { readFileSync, writeFileSync } from 'node:fs';

const ROOTS = [
  'io.k8s.api.core.v1.Pod',
  'io.k8s.api.core.v1.PodTemplate',
  'io.k8s.api.core.v1.ReplicationController',
  'io.k8s.api.core.v1.Service',
  'io.k8s.api.apps.v1.Deployment',
  'io.k8s.api.apps.v1.StatefulSet',
  'io.k8s.api.apps.v1.DaemonSet',
  'io.k8s.api.apps.v1.ReplicaSet',
  'io.k8s.api.batch.v1.Job',
  'io.k8s.api.batch.v1.CronJob',
  'io.k8s.api.networking.v1.NetworkPolicy',
];

const [input, out = 'schema/vendor/kubernetes-1.36/kubernetes-workloads.json'] = process.argv.slice(2);
if (!input) {
  process.stderr.write('usage: node scripts/vendor-kubernetes-schema.mjs SWAGGER_JSON [OUT]\n');
  process.exit(2);
}
const all = JSON.parse(readFileSync(input, 'utf8')).definitions;

const strip = (v) => {
  if (Array.isArray(v)) return v.map(strip);
  if (v && typeof v === 'object') {
    const o = {};
    for (const k of Object.keys(v).sort()) {
      // `description` is text, except where it is a field's name (a `properties` key).
      if (k === 'description' && typeof v[k] === 'string') continue;
      o[k] = strip(v[k]);
    }
    return o;
  }
  return v;
};

const refs = (v, found) => {
  if (Array.isArray(v)) for (const x of v) refs(x, found);
  else if (v && typeof v === 'object')
    for (const [k, x] of Object.entries(v)) {
      if (k === '$ref' && typeof x === 'string') found.push(x.replace('#/definitions/', ''));
      else refs(x, found);
    }
};

const keep = new Map();
const todo = [...ROOTS];
while (todo.length) {
  const name = todo.pop();
  if (keep.has(name)) continue;
  const def = all[name];
  if (!def) throw new Error(`${input} has no definition ${name}`);
  keep.set(name, strip(def));
  const found = [];
  refs(def, found);
  todo.push(...found);
}
const definitions = Object.fromEntries([...keep].sort(([a], [b]) => (a < b ? -1 : 1)));
writeFileSync(out, `${JSON.stringify({ roots: ROOTS, definitions }, null, 1)}\n`);
process.stderr.write(`${out}: ${keep.size} definitions\n`);
