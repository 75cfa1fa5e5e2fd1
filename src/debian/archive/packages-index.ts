/**
 * A parsed Packages index. Indexes hold ~70,000 paragraphs, so only the fields the resolver
 * sorts by are read up front; every other field is read from the verbatim paragraph on demand.
 */

import { DebianError } from '../errors.ts';
import { paragraphs, parseStanza, type Stanza } from './deb822.ts';

/** Where an index came from; copied onto each of its packages. */
export interface IndexOrigin {
  readonly mirror: string;
  readonly suite: string;
  readonly component: string;
}

/** One package paragraph of a Packages index. */
export interface PackageEntry extends IndexOrigin {
  readonly name: string;
  readonly version: string;
  readonly architecture: string;
  /** 'same' | 'foreign' | 'allowed' | 'no' (the default). */
  readonly multiArch: string;
  /** The `Provides:` value, '' when absent. */
  readonly provides: string;
  /** The paragraph verbatim, without its trailing newline. */
  readonly raw: string;
  /** Every field (parsed on first use). */
  fields(): ReadonlyMap<string, string>;
  /** One field's value, or undefined. */
  field(name: string): string | undefined;
}

/** Reads one field straight from a paragraph's text (first line plus continuation lines). */
export function fieldOf(raw: string, name: string): string | undefined {
  const key = `${name}:`;
  let at = raw.startsWith(key) ? 0 : raw.indexOf(`\n${key}`);
  if (at < 0) return undefined;
  if (at > 0) at += 1;
  let end = raw.indexOf('\n', at);
  let value = raw.slice(at + key.length, end < 0 ? raw.length : end).trim();
  while (end >= 0 && (raw.charCodeAt(end + 1) === 32 || raw.charCodeAt(end + 1) === 9)) {
    const next = raw.indexOf('\n', end + 1);
    value += `\n${raw.slice(end + 2, next < 0 ? raw.length : next)}`;
    end = next;
  }
  return value;
}

// A class rather than closures: ~70,000 of these are made per index, so prototype methods matter.
class Entry implements PackageEntry {
  readonly name: string;
  readonly version: string;
  readonly architecture: string;
  readonly multiArch: string;
  readonly provides: string;
  readonly mirror: string;
  readonly suite: string;
  readonly component: string;
  #text: string;
  #latin1: boolean;
  #parsed: Stanza | undefined;
  constructor(
    text: string,
    latin1: boolean,
    origin: IndexOrigin,
    private readonly source: string,
  ) {
    // The fields read here are ASCII by Policy, so they read the same in a latin1-decoded text.
    const name = fieldOf(text, 'Package');
    const version = fieldOf(text, 'Version');
    const architecture = fieldOf(text, 'Architecture');
    if (!name || !version || !architecture)
      throw new DebianError(
        'DEBIAN_INDEX_INVALID',
        `${source}: a paragraph lacks Package, Version or Architecture: ${JSON.stringify(text.slice(0, 120))}`,
      );
    this.name = name;
    this.version = version;
    this.architecture = architecture;
    this.multiArch = fieldOf(text, 'Multi-Arch') ?? 'no';
    this.provides = fieldOf(text, 'Provides') ?? '';
    this.mirror = origin.mirror;
    this.suite = origin.suite;
    this.component = origin.component;
    this.#text = text;
    this.#latin1 = latin1;
  }
  get raw(): string {
    if (this.#latin1) {
      this.#text = Buffer.from(this.#text, 'latin1').toString('utf8');
      this.#latin1 = false;
    }
    return this.#text;
  }
  fields(): ReadonlyMap<string, string> {
    this.#parsed ??= parseStanza(this.raw, { source: this.source });
    return this.#parsed.fields;
  }
  field(name: string): string | undefined {
    return this.#parsed ? this.#parsed.fields.get(name) : fieldOf(this.raw, name);
  }
}

/**
 * Parses a Packages index into entries, in file order. Given bytes, it decodes them as latin1
 * (an order of magnitude faster than UTF-8 for a 60 MB index) and turns a paragraph into UTF-8
 * only when its text is asked for, so what is kept verbatim is still the exact UTF-8 text.
 */
export function parsePackagesIndex(
  data: string | Uint8Array,
  origin: IndexOrigin,
  source = 'Packages',
): PackageEntry[] {
  const latin1 = typeof data !== 'string';
  const text = latin1 ? Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('latin1') : data;
  const out: PackageEntry[] = [];
  for (const raw of paragraphs(text)) out.push(new Entry(raw, latin1, origin, source));
  return out;
}
