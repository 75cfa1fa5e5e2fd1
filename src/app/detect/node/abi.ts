/**
 * Which Node.js a native addon (.node file) was built for. A classic addon exports
 * `node_register_module_v<NODE_MODULE_VERSION>` and only loads into a Node.js with that ABI; an
 * N-API addon exports `napi_register_module_v1` and loads into any Node.js. The symbol names
 * sit in the ELF's dynamic string table, so a scan of the bytes finds them.
 */

/** NODE_MODULE_VERSION of each Node.js major with a catalogue image (nodejs/node doc/abi_version_registry.json). */
export const NODE_ABI: Readonly<Record<number, number>> = { 20: 115, 22: 127, 24: 137, 26: 147 };

/** The addon's ABI: `napi` (any major), a NODE_MODULE_VERSION, or undefined when neither symbol is there. */
export type AddonAbi = { kind: 'napi' } | { kind: 'node'; moduleVersion: number } | undefined;

const CLASSIC = /node_register_module_v(\d+)\0/;
const NAPI = 'napi_register_module_v1\0';

/** Reads the addon's ABI from its bytes. Classic wins when both are exported (NAN + N-API hybrids need the exact ABI). */
export function addonAbi(bytes: Buffer): AddonAbi {
  const text = bytes.toString('latin1');
  const m = CLASSIC.exec(text);
  if (m) return { kind: 'node', moduleVersion: Number(m[1]) };
  if (text.includes(NAPI)) return { kind: 'napi' };
  return undefined;
}

/** The Node.js major with this NODE_MODULE_VERSION, when it has an image. */
export function majorForAbi(moduleVersion: number): number | undefined {
  for (const [major, abi] of Object.entries(NODE_ABI)) if (abi === moduleVersion) return Number(major);
  return undefined;
}
