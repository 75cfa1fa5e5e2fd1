/**
 * Reading the tracker's JSON export without parsing all of it: the export is large (tens of MB,
 * some 40 000 source packages) and an image holds a few hundred. One pass over the bytes finds
 * each top-level source's value (string- and nesting-aware, so it is also a syntax check of the
 * structure); a source's issues are parsed and shape-checked only when the matcher asks for them.
 * The first source is checked at once, so a file of the wrong shape fails before any image is read.
 */
import { VulnError } from './errors.ts';
import type { TrackerIssue, VulnDb } from './types.ts';

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const isSpace = (c: number | undefined) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

class Scanner {
  i = 0;
  constructor(
    readonly buf: Buffer,
    readonly what: string,
  ) {}
  syntax(why: string): VulnError {
    return new VulnError('VULN_DB_INVALID', `${this.what} is not JSON: ${why} at byte ${this.i}`);
  }
  skip(): void {
    while (isSpace(this.buf[this.i])) this.i++;
  }
  /** Past the string starting at i (a quote). */
  string(): void {
    let j = this.i + 1;
    for (;;) {
      const q = this.buf.indexOf(QUOTE, j);
      if (q < 0) throw this.syntax('unterminated string');
      let b = 0;
      while (this.buf[q - 1 - b] === BACKSLASH) b++;
      j = q + 1;
      if (b % 2 === 0) break;
    }
    this.i = j;
  }
  /** Past the value starting at i. */
  value(): void {
    const c = this.buf[this.i];
    if (c === QUOTE) {
      this.string();
      return;
    }
    if (c === 0x7b || c === 0x5b) {
      let depth = 0;
      const n = this.buf.length;
      while (this.i < n) {
        const d = this.buf[this.i];
        if (d === QUOTE) {
          this.string();
          continue;
        }
        if (d === 0x7b || d === 0x5b) depth++;
        else if (d === 0x7d || d === 0x5d) {
          depth--;
          if (depth === 0) {
            this.i++;
            return;
          }
        }
        this.i++;
      }
      throw this.syntax('unterminated object');
    }
    const start = this.i;
    while (
      this.i < this.buf.length &&
      this.buf[this.i] !== 0x2c &&
      this.buf[this.i] !== 0x7d &&
      !isSpace(this.buf[this.i])
    )
      this.i++;
    if (this.i === start) throw this.syntax('a value is missing');
  }
}

function badShape(what: string, why: string): VulnError {
  return new VulnError(
    'VULN_DB_INVALID',
    `${what} is not Debian security tracker data (${why}); give the JSON of https://security-tracker.debian.org/tracker/data/json`,
  );
}

function checkIssues(what: string, source: string, issues: unknown): Record<string, TrackerIssue> {
  if (!isObject(issues)) throw badShape(what, `${source} is not an object of issues`);
  for (const [id, issue] of Object.entries(issues)) {
    if (!isObject(issue) || !isObject(issue.releases))
      throw badShape(what, `${source} ${id} has no releases object`);
    for (const [rel, r] of Object.entries(issue.releases))
      if (!isObject(r) || typeof r.status !== 'string')
        throw badShape(what, `${source} ${id} ${rel} has no status`);
  }
  return issues as Record<string, TrackerIssue>;
}

/** Indexes the export; `what` names its origin in errors (a file, a URL). */
export function parseVulnDb(body: string | Buffer, what: string): VulnDb {
  const buf = typeof body === 'string' ? Buffer.from(body) : body;
  const s = new Scanner(buf, what);
  s.skip();
  if (buf[s.i] !== 0x7b) {
    try {
      JSON.parse(buf.toString('utf8'));
    } catch (err) {
      throw new VulnError('VULN_DB_INVALID', `${what} is not JSON: ${(err as Error).message}`, {
        cause: err,
      });
    }
    throw badShape(what, 'not an object of source packages');
  }
  s.i++;
  const spans = new Map<string, [number, number]>();
  s.skip();
  if (buf[s.i] === 0x7d) s.i++;
  else
    for (;;) {
      s.skip();
      if (buf[s.i] !== QUOTE) throw s.syntax('expected a source package name');
      const k = s.i;
      s.string();
      const key = JSON.parse(buf.toString('utf8', k, s.i)) as string;
      s.skip();
      if (buf[s.i] !== 0x3a) throw s.syntax('expected ":"');
      s.i++;
      s.skip();
      const v = s.i;
      s.value();
      spans.set(key, [v, s.i]);
      s.skip();
      if (buf[s.i] === 0x2c) s.i++;
      else if (buf[s.i] === 0x7d) {
        s.i++;
        break;
      } else throw s.syntax('expected "," or "}"');
    }
  s.skip();
  if (s.i !== buf.length) throw s.syntax('data after the object');

  const parsed = new Map<string, Record<string, TrackerIssue>>();
  const issues = (source: string) => {
    const span = spans.get(source);
    if (!span) return undefined;
    let got = parsed.get(source);
    if (!got) {
      let raw: unknown;
      try {
        raw = JSON.parse(buf.toString('utf8', span[0], span[1]));
      } catch (err) {
        throw new VulnError('VULN_DB_INVALID', `${what} is not JSON: ${source}: ${(err as Error).message}`, {
          cause: err,
        });
      }
      got = checkIssues(what, source, raw);
      parsed.set(source, got);
    }
    return got;
  };
  const first = spans.keys().next();
  if (!first.done) issues(first.value);
  return { sources: spans.size, issues };
}
