/**
 * Image configs serialised as Go's encoding/json writes the OCI spec's structs (field order of
 * the struct, HTML-safe escapes), which is what docker, skopeo and containerd write when they
 * re-marshal a config: a distill config survives their round trips with its digest unchanged.
 * Keys the structs do not know follow, sorted.
 */
import type { ImageConfig } from './types.ts';

const TOP = [
  'created',
  'author',
  'architecture',
  'os',
  'os.version',
  'os.features',
  'variant',
  'config',
  'rootfs',
  'history',
];
const CONFIG = [
  'User',
  'ExposedPorts',
  'Env',
  'Entrypoint',
  'Cmd',
  'Volumes',
  'WorkingDir',
  'Labels',
  'StopSignal',
  'ArgsEscaped',
];
const ROOTFS = ['type', 'diff_ids'];
const HISTORY = ['created', 'created_by', 'author', 'comment', 'empty_layer'];

function ordered(
  v: Record<string, unknown>,
  order: readonly string[],
  nested: Record<string, (x: unknown) => unknown> = {},
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const keys = [
    ...order.filter((k) => k in v),
    ...Object.keys(v)
      .filter((k) => !order.includes(k))
      .sort(),
  ];
  for (const k of keys) {
    const x = v[k];
    if (x === undefined) continue;
    const f = nested[k];
    out[k] = f ? f(x) : sortDeep(x);
  }
  return out;
}

// Maps (Labels, ExposedPorts, Volumes) are written by Go with sorted keys.
function sortDeep(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortDeep);
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return Object.fromEntries(
      Object.keys(o)
        .sort()
        .filter((k) => o[k] !== undefined)
        .map((k) => [k, sortDeep(o[k])]),
    );
  }
  return v;
}

/** The config's bytes, as Go would write them. */
export function configBytes(config: ImageConfig): Buffer {
  const value = ordered(config as unknown as Record<string, unknown>, TOP, {
    config: (c) => ordered(c as Record<string, unknown>, CONFIG),
    rootfs: (r) => ordered(r as Record<string, unknown>, ROOTFS),
    history: (h) => (h as Record<string, unknown>[]).map((e) => ordered(e, HISTORY)),
  });
  return Buffer.from(goEscape(JSON.stringify(value)), 'utf8');
}

/** Go's json.Marshal escapes <, >, & and the JavaScript line separators. */
function goEscape(s: string): string {
  return s.replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
