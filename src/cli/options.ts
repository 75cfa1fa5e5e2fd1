/** Shared flag parsers: JSON arrays for --entrypoint/--cmd, KEY=VALUE lists, repeatable flags. */
import { Option } from 'commander';
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

/** A layer compression and its level, as `--compression gzip|zstd[:LEVEL]` gives them. */
export interface CompressionChoice {
  compression: 'gzip' | 'zstd';
  level?: number;
}

const LEVELS = { gzip: [1, 9], zstd: [1, 19] } as const;

/** Parses `gzip`, `gzip:9`, `zstd`, `zstd:19`; anything else is a usage error. */
export function parseCompression(v: string): CompressionChoice {
  const m = /^(gzip|zstd)(?::(\d{1,2}))?$/.exec(v.trim());
  if (!m)
    throw new UsageError(
      `--compression takes gzip or zstd, optionally with :LEVEL (zstd:19); got ${JSON.stringify(v)}`,
    );
  const compression = m[1] as 'gzip' | 'zstd';
  if (m[2] === undefined) return { compression };
  const level = Number(m[2]);
  const [lo, hi] = LEVELS[compression];
  if (level < lo || level > hi)
    throw new UsageError(`--compression ${compression} levels are ${lo}–${hi}; got ${level}`);
  return { compression, level };
}

/** The `--compression` flag: gzip by default (every engine and registry reads it), shown as `gzip`. */
export function compressionOption(description: string): Option {
  return new Option('--compression <gzip|zstd[:LEVEL]>', description)
    .argParser(parseCompression)
    .default({ compression: 'gzip' } satisfies CompressionChoice, 'gzip');
}
