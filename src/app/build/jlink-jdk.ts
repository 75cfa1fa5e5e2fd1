/**
 * The JDK of `distill build --jlink`: distill's catalogue image javaNN:debug (Debian's
 * openjdk-NN-jdk-headless with jlink and the jmods) for every architecture of the build, made once
 * a run and pinned by the app lock's `jdk` section: a build with a current lock takes the JDK's
 * exact packages from it, and --frozen-lock refuses a lock without one.
 */
import type { CatalogueBuild } from '../../assemble/index.ts';
import type { BaseLockFile } from '../../lock/index.ts';
import { LockError } from '../../lock/index.ts';
import type { JlinkPlan } from '../types.ts';
import type { AppRun } from './steps-project.ts';

const builds = new WeakMap<AppRun, Promise<CatalogueBuild>>();

/** javaNN:debug for the run's architectures (built or taken from the cache once a run). */
export function jdkImages(run: AppRun, jl: JlinkPlan): Promise<CatalogueBuild> {
  let b = builds.get(run);
  if (!b) {
    b = (async () => {
      const image = `java${jl.java}`;
      const pinned = run.lock?.jdk?.inputs.image === image ? run.lock.jdk : undefined;
      if (run.o.frozen && !pinned)
        throw new LockError(
          'LOCK_STALE',
          `--frozen-lock: ${run.lockPath} pins no JDK for --jlink (${image}:debug); run \`distill build --jlink --relock\``,
        );
      const { buildCatalogueImage } = await import('../../assemble/index.ts');
      return buildCatalogueImage({
        ref: `${image}:debug`,
        arches: run.project.archs,
        context: await run.context(),
        epoch: run.o.epoch,
        ...(pinned ? { lock: pinned } : {}),
        onEvent: run.progress,
      });
    })();
    builds.set(run, b);
  }
  return b;
}

/** The JDK's lock for the app lock, when this run linked a runtime. */
export async function jdkLockOf(run: AppRun): Promise<BaseLockFile | undefined> {
  const b = builds.get(run);
  return b ? (await b).lock : undefined;
}
