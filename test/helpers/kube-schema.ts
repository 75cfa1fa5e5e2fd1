/**
 * Kubernetes 1.36's API schema for the workload kinds, Service and NetworkPolicy (vendored under
 * schema/vendor/kubernetes-1.36 with its licence), as JSON Schema for Ajv — the way kubeconform's
 * strict mode converts the OpenAPI definitions: IntOrString is a string or an integer, Quantity a
 * string or a number, int32/int64 are range-checked, and an object with `properties` admits no
 * other property, so a misspelt field fails as `kubectl --validate=strict` fails it.
 * `kubeSchemaErrors(doc)` validates one object by its apiVersion and kind (a v1 List item by item).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import AjvModule, { type ValidateFunction } from 'ajv';
import { REPO_ROOT } from './tools.ts';

type AjvLike = {
  compile(s: unknown): ValidateFunction;
  addSchema(s: unknown, key: string): AjvLike;
  addFormat(name: string, f: unknown): AjvLike;
  getSchema(ref: string): ValidateFunction | undefined;
};
const Ajv = AjvModule as unknown as new (o: Record<string, unknown>) => AjvLike;

type Json = Record<string, unknown>;
const INT_OR_STRING = 'io.k8s.apimachinery.pkg.util.intstr.IntOrString';
const QUANTITY = 'io.k8s.apimachinery.pkg.api.resource.Quantity';

function strict(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(strict);
  if (!v || typeof v !== 'object') return v;
  const o: Json = {};
  for (const [k, x] of Object.entries(v as Json))
    o[k] = k === 'properties' ? mapValues(x as Json) : strict(x);
  if (o.properties && o.additionalProperties === undefined) o.additionalProperties = false;
  return o;
}
const mapValues = (o: Json) => Object.fromEntries(Object.entries(o).map(([k, x]) => [k, strict(x)]));

let kinds: Map<string, ValidateFunction> | undefined;

function load(): Map<string, ValidateFunction> {
  const vendored = JSON.parse(
    readFileSync(join(REPO_ROOT, 'schema/vendor/kubernetes-1.36/kubernetes-workloads.json'), 'utf8'),
  ) as { roots: string[]; definitions: Record<string, Json> };
  const definitions = mapValues(vendored.definitions) as Record<string, Json>;
  definitions[INT_OR_STRING] = { anyOf: [{ type: 'string' }, { type: 'integer' }] };
  definitions[QUANTITY] = { anyOf: [{ type: 'string' }, { type: 'number' }] };
  const ajv = new Ajv({ strict: false, allErrors: true });
  ajv.addFormat('int32', {
    type: 'number',
    validate: (n: number) => Number.isInteger(n) && Math.abs(n) < 2 ** 31,
  });
  ajv.addFormat('int64', { type: 'number', validate: (n: number) => Number.isSafeInteger(n) });
  for (const f of ['byte', 'date-time', 'double', 'int-or-string']) ajv.addFormat(f, true);
  ajv.addSchema({ definitions }, 'k8s');
  const out = new Map<string, ValidateFunction>();
  for (const root of vendored.roots) {
    const def = vendored.definitions[root] as Json;
    const gvk = (def['x-kubernetes-group-version-kind'] as Json[])[0] as Json;
    const apiVersion = gvk.group ? `${gvk.group}/${gvk.version}` : String(gvk.version);
    out.set(`${apiVersion} ${gvk.kind}`, ajv.compile({ $ref: `k8s#/definitions/${root}` }));
  }
  return out;
}

/** The kinds the vendored schema knows, as `apiVersion kind`. */
export function kubeSchemaKinds(): string[] {
  kinds ??= load();
  return [...kinds.keys()];
}

/** Ajv's errors for `doc` (a v1 List: for each item), [] when valid. */
export function kubeSchemaErrors(doc: unknown): string[] {
  kinds ??= load();
  const o = doc as Json;
  if (o?.apiVersion === 'v1' && o.kind === 'List') {
    if (!Array.isArray(o.items)) return ['a List without items'];
    const extra = Object.keys(o).filter((k) => !['apiVersion', 'kind', 'items', 'metadata'].includes(k));
    return [
      ...extra.map((k) => `List has unknown field ${k}`),
      ...o.items.flatMap((item, i) => kubeSchemaErrors(item).map((e) => `items[${i}]: ${e}`)),
    ];
  }
  const validate = kinds.get(`${String(o?.apiVersion)} ${String(o?.kind)}`);
  if (!validate) return [`no schema for apiVersion ${String(o?.apiVersion)} kind ${String(o?.kind)}`];
  return validate(doc)
    ? []
    : (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message} ${JSON.stringify(e.params)}`);
}
