/**
 * The official JSON schemas SBOMs are checked against: SPDX 2.3 (vendored under schema/vendor,
 * with its licence) and CycloneDX 1.6 (shipped by the @cyclonedx/cyclonedx-library package, with
 * the SPDX licence-id and JSF schemas it refers to). Returns ajv's errors, [] when valid.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { REPO_ROOT } from './tools.ts';

const addFormats = addFormatsModule as unknown as (a: Ajv) => Ajv;
const CDX = join(REPO_ROOT, 'node_modules/@cyclonedx/cyclonedx-library/res/schema');
const json = (p: string) => JSON.parse(readFileSync(p, 'utf8')) as Record<string, unknown>;

let spdx: ValidateFunction | undefined;
let cdx: ValidateFunction | undefined;

function ajv(): Ajv {
  const a = addFormats(new Ajv({ strict: false, allErrors: true, validateSchema: false }));
  // Draft 2019 formats ajv-formats lacks; distill writes no IRI or e-mail field, so any string passes.
  for (const f of ['iri-reference', 'idn-email']) a.addFormat(f, true);
  return a;
}

/** Errors of an SPDX 2.3 JSON document against the official schema. */
export function spdxErrors(doc: unknown): string[] {
  spdx ??= ajv().compile(json(join(REPO_ROOT, 'schema/vendor/spdx-2.3/spdx-schema.json')));
  return spdx(doc) ? [] : (spdx.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
}

/** Errors of a CycloneDX 1.6 JSON BOM against the official schema. */
export function cyclonedxErrors(doc: unknown): string[] {
  if (!cdx) {
    const a = ajv();
    // bom-1.6 refers to its siblings by their file names, relative to its own $id.
    for (const f of ['spdx.SNAPSHOT.schema.json', 'jsf-0.82.SNAPSHOT.schema.json']) {
      const s = json(join(CDX, f));
      delete s.$id;
      a.addSchema(s, `http://cyclonedx.org/schema/${f}`);
    }
    cdx = a.compile(json(join(CDX, 'bom-1.6.SNAPSHOT.schema.json')));
  }
  return cdx(doc) ? [] : (cdx.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
}

/**
 * What the schemas cannot say: unique ids, relationships and dependencies that point at
 * something in the document, every LicenseRef used being declared (SPDX 2.3 §10).
 */
export function semanticErrors(doc: Record<string, unknown>): string[] {
  const errs: string[] = [];
  const dupes = (ids: string[], what: string) => {
    const seen = new Set<string>();
    for (const id of ids) {
      if (seen.has(id)) errs.push(`duplicate ${what} ${id}`);
      seen.add(id);
    }
    return seen;
  };
  if (doc.spdxVersion) {
    const pkgs = doc.packages as { SPDXID: string; licenseDeclared: string; licenseConcluded: string }[];
    const ids = dupes([doc.SPDXID as string, ...pkgs.map((p) => p.SPDXID)], 'SPDXID');
    for (const r of doc.relationships as { spdxElementId: string; relatedSpdxElement: string }[])
      for (const id of [r.spdxElementId, r.relatedSpdxElement]) if (!ids.has(id)) errs.push(`dangling ${id}`);
    const declared = new Set(
      ((doc.hasExtractedLicensingInfos ?? []) as { licenseId: string }[]).map((l) => l.licenseId),
    );
    for (const p of pkgs)
      for (const ref of `${p.licenseDeclared} ${p.licenseConcluded}`.match(/LicenseRef-[^\s()]+/g) ?? []) {
        if (!declared.has(ref)) errs.push(`${p.SPDXID}: ${ref} not declared`);
        if (!/^LicenseRef-[A-Za-z0-9.-]+$/.test(ref)) errs.push(`${ref}: not a valid LicenseRef`);
      }
  } else {
    const meta = (doc.metadata as { component: { 'bom-ref': string } }).component;
    const comps = doc.components as { 'bom-ref': string }[];
    const refs = dupes([meta['bom-ref'], ...comps.map((c) => c['bom-ref'])], 'bom-ref');
    for (const d of doc.dependencies as { ref: string; dependsOn?: string[] }[])
      for (const r of [d.ref, ...(d.dependsOn ?? [])]) if (!refs.has(r)) errs.push(`dangling ${r}`);
  }
  return errs;
}
