/**
 * The native checks hook `distill build` calls for each architecture's final image: the checks of
 * src/app/native.ts with the real Contents lookup — the release's signed Contents indexes, through
 * the mirrors and keys the environment gives (DISTILL_DEBIAN_MIRROR, the host's apt sources) and
 * the content-addressed cache. Opened only when a library is missing.
 */

import { posix } from 'node:path';
import {
  type ContentsLookup,
  contentsLookup,
  loadReleaseIndexes,
  openArchiveContext,
  packageContents,
  withNamingFallback,
} from '../../../debian/index.ts';
import type { NativeCheck, NativeCheckInput } from '../../types.ts';
import { createNativeCheck } from './native.ts';

// One lookup per release and cache for the process: a multi-arch build shares Contents-all.
const lookups = new Map<string, Promise<ContentsLookup>>();

function lookupFor(input: NativeCheckInput): Promise<ContentsLookup> {
  const debian = input.debian ?? 13;
  const id = `${debian}\0${input.cache.root}`;
  let p = lookups.get(id);
  if (!p) {
    p = openArchiveContext({ debian, env: input.env, cache: input.cache }).then((ctx) =>
      // When the mirror's Contents file does not match the signed Release, guess from the
      // library naming, checked against the signed Packages index (and later, the image).
      withNamingFallback(
        contentsLookup(ctx.spec, ctx.archive),
        async (arch) => {
          const suites = await loadReleaseIndexes(ctx.spec, arch, ctx.archive);
          return new Set(suites.flatMap((s) => s.packages.map((p) => p.name)));
        },
        // A candidate is proven by fetching it through the signed chain and listing its files.
        async (name, arch, soname) => {
          const suites = await loadReleaseIndexes(ctx.spec, arch, ctx.archive);
          for (const suite of suites) {
            const e = suite.packages.find((p) => p.name === name);
            if (!e) continue;
            const pkg = {
              name: e.name,
              version: e.version,
              architecture: e.architecture,
              filename: e.field('Filename') ?? '',
              sha256: e.field('SHA256') ?? '',
              size: Number(e.field('Size') ?? 0),
              mirror: suite.mirror,
            };
            const [c] = await packageContents([pkg], { cache: input.cache, mergedUsr: debian === 13 });
            const hit = c?.files.find(
              (f) => f.type !== 'dir' && posix.basename(f.path) === soname && /^(usr\/)?lib\//.test(f.path),
            );
            return hit ? posix.dirname(hit.path) : undefined;
          }
          return undefined;
        },
      ),
    );
    p.catch(() => lookups.delete(id));
    lookups.set(id, p);
  }
  return p;
}

/** Checks the plan's ELF files against one architecture's final image. */
export const checkNative: NativeCheck = createNativeCheck(lookupFor);
