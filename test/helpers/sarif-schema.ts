/**
 * The official SARIF 2.1.0 JSON schema (vendored under schema/vendor/sarif-2.1.0 with its licence;
 * it is written in JSON Schema draft-04, so Ajv's draft-04 class checks it). Returns ajv's
 * errors, [] when valid. `unicodeRegExp: false`: the schema's language-tag pattern
 * (`^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$`) has a stray `]` that only a non-unicode RegExp accepts.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ValidateFunction } from 'ajv';
import AjvDraft04Module from 'ajv-draft-04';
import addFormatsModule from 'ajv-formats';
import { REPO_ROOT } from './tools.ts';

type AjvLike = { compile(s: unknown): ValidateFunction };
const AjvDraft04 = AjvDraft04Module as unknown as new (o: Record<string, unknown>) => AjvLike;
const addFormats = addFormatsModule as unknown as (a: AjvLike) => AjvLike;

let validate: ValidateFunction | undefined;

export function sarifErrors(doc: unknown): string[] {
  if (!validate) {
    const schema = JSON.parse(
      readFileSync(join(REPO_ROOT, 'schema/vendor/sarif-2.1.0/sarif-2.1.0-rtm.5.json'), 'utf8'),
    );
    validate = addFormats(new AjvDraft04({ strict: false, allErrors: true, unicodeRegExp: false })).compile(
      schema,
    );
  }
  return validate(doc) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
}
