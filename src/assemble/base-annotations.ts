/**
 * What a catalogue image says about itself: the OCI annotations org.opencontainers.image.
 * {version, revision, source} of its packaged software, and the runtime's version in upstream
 * form ("3.13.5", as distroless's com.google.distroless.python.version) next to Debian's
 * ("3.13.5-2+deb13u5"). The packaged software is the runtime (python3.13, openjdk-NN, Node.js)
 * or, for static/base-nossl/base/cc, Debian itself (base-files: "13.8"). Node.js comes from the
 * npm registry, so its source is the upstream tag; Debian's packages point at their source on
 * sources.debian.org (the pool directory is the source package's name).
 */
import type { BaseImageSpec } from '../catalogue/index.ts';
import type { ResolvedPackage } from '../debian/index.ts';
import type { BasePlan } from './base-plan.ts';

/**
 * The upstream part of a Debian version: no epoch, no Debian revision, no `+`/`~` suffix
 * (`1:4.4.38-1` → `4.4.38`, `21.0.13.1+2-1~deb13u1` → `21.0.13.1`, `13.8+deb13u8` → `13.8`).
 */
export function upstreamVersion(debianVersion: string): string {
  const noEpoch = debianVersion.replace(/^\d+:/, '');
  const dash = noEpoch.lastIndexOf('-');
  return (dash > 0 ? noEpoch.slice(0, dash) : noEpoch).replace(/[+~].*$/, '');
}

/** The package a catalogue image's version and source come from. */
function mainPackage(spec: BaseImageSpec, plan: BasePlan): ResolvedPackage | undefined {
  const rt = spec.runtime;
  const name =
    rt?.kind === 'python'
      ? `python${rt.version}-minimal`
      : rt?.kind === 'java'
        ? `openjdk-${rt.version}-jre-headless`
        : 'base-files';
  return plan.layers.flatMap((l) => l.packages).find((p) => p.name === name);
}

/** `pool/main/p/python3.13/python3.13-minimal_…deb` → `python3.13`. */
const sourceName = (p: ResolvedPackage) => p.filename.split('/').at(-2) ?? p.name;

/** The annotations of one catalogue image (the manifest's; runtimeLabels go in the config too). */
export function baseAnnotations(spec: BaseImageSpec, plan: BasePlan): Record<string, string> {
  if (spec.runtime?.kind === 'node') {
    const v = plan.node?.version;
    if (!v) return {};
    return {
      'org.opencontainers.image.version': v,
      'org.opencontainers.image.revision': `v${v}`,
      'org.opencontainers.image.source': `https://github.com/nodejs/node/tree/v${v}`,
    };
  }
  const p = mainPackage(spec, plan);
  if (!p) return {};
  return {
    'org.opencontainers.image.version': upstreamVersion(p.version),
    'org.opencontainers.image.revision': p.version,
    'org.opencontainers.image.source': `https://sources.debian.org/src/${sourceName(p)}/${encodeURIComponent(p.version)}/`,
  };
}

/** `dev.distill.<runtime>.version` (upstream) and `.debian-version` (Debian's; absent for Node.js). */
export function runtimeLabels(spec: BaseImageSpec, plan: BasePlan): Record<string, string> {
  const rt = spec.runtime;
  if (!rt) return {};
  const key = `dev.distill.${rt.kind === 'node' ? 'nodejs' : rt.kind}`;
  if (rt.kind === 'node') return plan.node ? { [`${key}.version`]: plan.node.version } : {};
  const p = mainPackage(spec, plan);
  return p ? { [`${key}.version`]: upstreamVersion(p.version), [`${key}.debian-version`]: p.version } : {};
}
