/**
 * Attestations: in-toto statements with cosign's predicate types, and the SLSA provenance of a
 * distill build (v1 and v0.2) from its lock. Signing and storing them is ../sign's.
 */
export * from './predicate-types.ts';
export * from './provenance.ts';
export * from './statement.ts';
