/**
 * distill.yaml: parsed with `yaml` (which keeps source positions) and validated against
 * schema/distill.schema.json with ajv, so every error names the file, line and field
 * (`distill.yaml:7: ports[1]: must be an integer or "NNNN/tcp"`).
 */

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ErrorObject, ValidateFunction } from 'ajv';
import type { Node } from 'yaml';
import { packagePath } from '../package-root.ts';
import { AppError } from './errors.ts';
import type { AppConfig, AppFileSpec } from './types.ts';

export const CONFIG_FILE = 'distill.yaml';

let validator: Promise<ValidateFunction> | undefined;

/** The published JSON Schema (schema/distill.schema.json), compiled once. */
export function configValidator(): Promise<ValidateFunction> {
  // ajv and yaml load only when a project has a distill.yaml (start-up time of every build).
  validator ??= Promise.all([
    import('ajv'),
    readFile(packagePath('schema', 'distill.schema.json'), 'utf8'),
  ]).then(([{ Ajv }, text]) => new Ajv({ allErrors: true, strict: false }).compile(JSON.parse(text)));
  return validator;
}

/** Reads DIR/distill.yaml when it exists (undefined when it does not). */
export async function loadConfigFile(dir: string): Promise<AppConfig | undefined> {
  let text: string;
  try {
    text = await readFile(join(dir, CONFIG_FILE), 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new AppError('APP_CONFIG_INVALID', `${CONFIG_FILE}: cannot read: ${(e as Error).message}`, {
      cause: e,
    });
  }
  return parseConfig(text, CONFIG_FILE);
}

/** Parses and validates distill.yaml text; `file` names it in errors. */
export async function parseConfig(text: string, file = CONFIG_FILE): Promise<AppConfig> {
  const { isMap, isScalar, LineCounter, parseDocument } = await import('yaml');
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length) {
    const msg = doc.errors.map((e) => `${file}:${lines.linePos(e.pos[0]).line}: ${e.message.split('\n')[0]}`);
    throw new AppError('APP_CONFIG_INVALID', msg.join('\n'));
  }
  let value: unknown;
  try {
    // yaml refuses documents whose aliases expand past maxAliasCount ("billion laughs").
    value = doc.toJS({ maxAliasCount: 100 }) ?? {};
  } catch (e) {
    throw new AppError('APP_CONFIG_INVALID', `${file}: ${(e as Error).message}`, { cause: e });
  }
  if (typeof value !== 'object' || Array.isArray(value) || value === null)
    throw new AppError(
      'APP_CONFIG_INVALID',
      `${file}:1: the file must be a mapping of fields (base:, ports:, ...)`,
    );
  const validate = await configValidator();
  if (!validate(value)) {
    const where = (path: (string | number)[], key?: string) => {
      let node = doc.getIn(path, true) as Node | undefined;
      if (key !== undefined) {
        const parent = path.length ? doc.getIn(path, true) : doc.contents;
        if (isMap(parent)) {
          const pair = parent.items.find((p) => isScalar(p.key) && String(p.key.value) === key);
          if (pair && isScalar(pair.key)) node = pair.key;
        }
      }
      const offset = node?.range?.[0] ?? doc.contents?.range?.[0] ?? 0;
      return lines.linePos(offset).line;
    };
    const msgs = describeErrors(validate.errors ?? []).map(({ path, key, message }) => {
      const field = fieldName(key !== undefined ? [...path, key] : path);
      return { line: where(path, key), text: `${field ? `${field}: ` : ''}${message}` };
    });
    msgs.sort((a, b) => a.line - b.line);
    throw new AppError('APP_CONFIG_INVALID', msgs.map((m) => `${file}:${m.line}: ${m.text}`).join('\n'));
  }
  const site = (value as RawConfig).sitePackages;
  // Read from the host: a project's own file may only name a folder inside the project.
  if (typeof site === 'string' && (site.startsWith('/') || site.split('/').includes('..')))
    throw new AppError(
      'APP_CONFIG_INVALID',
      `${file}: sitePackages: ${JSON.stringify(site)} must be a path inside the project (give a host path with --site-packages)`,
    );
  return normaliseConfig(value as RawConfig);
}

interface Problem {
  path: (string | number)[];
  key?: string;
  message: string;
}

/** Fields whose `anyOf` gets one readable sentence instead of ajv's per-branch messages. */
const FRIENDLY: [RegExp, string][] = [
  [/^\/ports\/\d+$/, 'must be an integer or "NNNN/tcp"'],
  [/^\/files\/\d+\/mode$/, 'must be an octal mode such as "0755"'],
];

/** One problem per field, in words a user of distill.yaml understands. */
function describeErrors(errors: ErrorObject[]): Problem[] {
  const out = new Map<string, Problem>();
  for (const e of errors) {
    const path = e.instancePath
      .split('/')
      .slice(1)
      .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
      .map((p) => (/^\d+$/.test(p) ? Number(p) : p));
    if (e.keyword === 'additionalProperties') {
      const key = String((e.params as { additionalProperty: string }).additionalProperty);
      const allowed =
        path.length === 0 ? 'see schema/distill.schema.json for the fields' : 'not allowed here';
      out.set(`${e.instancePath}/${key}`, { path, key, message: `unknown field (${allowed})` });
      continue;
    }
    const friendly = FRIENDLY.find(([re]) => re.test(e.instancePath));
    let message = friendly ? friendly[1] : (e.message ?? 'is not valid');
    if (!friendly && e.keyword === 'enum')
      message = `must be one of ${(e.params as { allowedValues: unknown[] }).allowedValues.join(', ')}`;
    if (!friendly && e.keyword === 'pattern') message = patternMessage(e.instancePath, message);
    if (e.keyword === 'propertyNames') continue;
    const k = e.instancePath;
    // Keep the first message per field unless a friendly one replaces it.
    if (!out.has(k) || friendly) out.set(k, { path, message });
  }
  return [...out.values()];
}

function patternMessage(instancePath: string, fallback: string): string {
  if (/\/(workdir|destination)$/.test(instancePath) || /^\/writable\//.test(instancePath))
    return 'must be an absolute path (start with /)';
  if (/^\/packages\//.test(instancePath)) return 'must be a Debian package name';
  if (/^\/archs\//.test(instancePath)) return 'must be an architecture such as amd64 or arm64';
  if (/^\/env\//.test(instancePath)) return 'must be an environment variable name';
  return fallback;
}

/** `files[0].mode` from ['files', 0, 'mode']. */
export function fieldName(path: (string | number)[]): string {
  let s = '';
  for (const p of path) s += typeof p === 'number' ? `[${p}]` : s ? `.${p}` : p;
  return s;
}

type RawConfig = Omit<AppConfig, 'ports' | 'user' | 'env' | 'files' | 'debian'> & {
  ports?: (string | number)[];
  user?: string | number;
  env?: Record<string, string | number | boolean>;
  debian?: string | number;
  files?: (Omit<AppFileSpec, 'mode' | 'owner'> & { mode?: string | number; owner?: string | number })[];
};

/** Schema-valid input → AppConfig: ports as `NNNN/tcp`, user/owner as strings, modes as numbers. */
function normaliseConfig(raw: RawConfig): AppConfig {
  const c: AppConfig = { ...(raw as AppConfig) };
  if (raw.ports) c.ports = raw.ports.map(normalisePort);
  if (raw.user !== undefined) c.user = String(raw.user);
  if (raw.env) c.env = Object.fromEntries(Object.entries(raw.env).map(([k, v]) => [k, String(v)]));
  if (raw.files)
    c.files = raw.files.map((f) => ({
      source: f.source,
      destination: f.destination,
      ...(f.mode !== undefined
        ? { mode: typeof f.mode === 'number' ? f.mode : Number.parseInt(f.mode, 8) }
        : {}),
      ...(f.owner !== undefined ? { owner: String(f.owner) } : {}),
    }));
  return c;
}

/** 8080 → 8080/tcp; "53/udp" stays. Range-checks the number. */
export function normalisePort(p: string | number): string {
  const [num, proto = 'tcp'] = String(p).split('/');
  const n = Number(num);
  if (!Number.isInteger(n) || n < 1 || n > 65535)
    throw new AppError('APP_CONFIG_INVALID', `port ${JSON.stringify(p)}: must be between 1 and 65535`);
  return `${n}/${proto}`;
}

/** The file's config with command-line values on top (a flag given replaces the field). */
export function mergeConfig(file: AppConfig | undefined, flags: Partial<AppConfig>): AppConfig {
  const out: AppConfig = { ...(file ?? {}) };
  for (const [k, v] of Object.entries(flags)) {
    if (v === undefined || (Array.isArray(v) && v.length === 0)) continue;
    (out as Record<string, unknown>)[k] = v;
  }
  return out;
}
