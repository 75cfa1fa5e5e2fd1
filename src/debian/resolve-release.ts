/**
 * Resolution against a live release: load the verified indexes of every suite, build the
 * universe for one architecture, and resolve. This is what `distill packages resolve` and
 * `distill lock` call.
 */
import { type ArchiveOptions, loadReleaseIndexes, type SuiteIndex } from './archive.ts';
import { type Resolution, type ResolveOptions, resolve, Universe } from './resolve.ts';
import type { ReleaseSpec } from './types.ts';

/** The resolution plus where it came from. */
export interface ReleaseResolution extends Resolution {
  readonly arch: string;
  readonly release: ReleaseSpec;
  /** Per suite: the signed Release's date and the keys that signed it. */
  readonly suites: readonly {
    readonly suite: string;
    readonly mirror: string;
    readonly date: string | undefined;
    readonly signers: readonly string[];
  }[];
}

/** Loads the release's indexes for `arch` and resolves `requested`. */
export async function resolveFromRelease(
  spec: ReleaseSpec,
  requested: readonly string[],
  options: Omit<ResolveOptions, 'suites'> & { readonly archive: ArchiveOptions },
): Promise<ReleaseResolution> {
  const indexes: SuiteIndex[] = await loadReleaseIndexes(spec, options.arch, options.archive);
  const universe = new Universe(
    indexes.flatMap((i) => i.packages),
    options.arch,
    spec.suites,
  );
  const result = resolve(universe, requested, { ...options, suites: spec.suites });
  return {
    ...result,
    arch: options.arch,
    release: spec,
    suites: indexes.map((i) => ({
      suite: i.suite,
      mirror: i.mirror,
      date: i.release.date?.toISOString(),
      signers: i.signers,
    })),
  };
}
