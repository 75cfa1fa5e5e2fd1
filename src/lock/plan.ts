/**
 * The plan of a catalogue image for one architecture — which exact packages (and Node.js
 * release) go into which layer — as data: made by assemble/base-plan.ts, stored by the lock
 * (base-lock.ts), executed by assembly. Here, below both, so the lock does not import assembly.
 */
import type { LayerKind } from '../catalogue/index.ts';
import type { Exclusion, ResolvedPackage } from '../debian/index.ts';
import type { NodeRuntimeLock } from '../npm/index.ts';

export interface LayerPlan {
  kind: LayerKind;
  /** The packages this layer adds (none that a lower layer has), sorted by name. */
  packages: ResolvedPackage[];
}

export interface BasePlan {
  name: string;
  debian: 12 | 13;
  arch: string;
  layers: LayerPlan[];
  /** Packages whose files distill uses without installing them whole. */
  sources: {
    /** Its certificates become /etc/ssl/certs/ca-certificates.crt (and the Java trust store). */
    caCertificates: ResolvedPackage;
    /** /busybox for the debug variants. */
    busybox: ResolvedPackage;
    /** The C.utf8 locale, for images that set LANG=C.UTF-8. */
    libcBin: ResolvedPackage;
  };
  node?: NodeRuntimeLock;
  excluded: Exclusion[];
  warnings: string[];
}
