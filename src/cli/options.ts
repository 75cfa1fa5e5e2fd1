/** Shared flag parsers: JSON arrays for --entrypoint/--cmd, KEY=VALUE lists, repeatable flags. */
import { UsageError } from './errors.ts';

/** `["/app","--flag"]` as JSON, or a plain string taken as one argument. */
export function parseArgv(flag: string, v: string): string[] {
  const t = v.trim();
  if (t.startsWith('[')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(t);
    } catch (err) {
      throw new UsageError(`${flag} must be a JSON array of strings, e.g. ${flag} '["/app","serve"]'`, {
        cause: err,
      });
    }
    if (!Array.isArray(parsed) || !parsed.every((x) => typeof x === 'string')) {
      throw new UsageError(`${flag} must be a JSON array of strings, e.g. ${flag} '["/app","serve"]'`);
    }
    return parsed;
  }
  return [v];
}

/** Collects a repeatable flag's values. */
export function collect(v: string, prev: string[] = []): string[] {
  return [...prev, v];
}

/** Checks KEY=VALUE. */
export function parseKeyValue(flag: string, v: string): string {
  if (!/^[^=\s]+=/.test(v)) throw new UsageError(`${flag} takes KEY=VALUE, got ${JSON.stringify(v)}`);
  return v;
}

/** `--label k=v` values as a record. */
export function keyValues(flag: string, vs: readonly string[] = []): Record<string, string> {
  const out: Record<string, string> = {};
  for (const v of vs) {
    const kv = parseKeyValue(flag, v);
    const i = kv.indexOf('=');
    out[kv.slice(0, i)] = kv.slice(i + 1);
  }
  return out;
}

/** UID[:GID] with numbers, or a user name. */
export function parseUser(v: string): string {
  if (!/^[A-Za-z0-9_.-]+(:[A-Za-z0-9_.-]+)?$/.test(v))
    throw new UsageError(`--user takes UID[:GID], got ${JSON.stringify(v)}`);
  return v;
}
