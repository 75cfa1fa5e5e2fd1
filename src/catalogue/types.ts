/** The base image catalogue as data: which packages go in which layer, and the image config. */
import type { DebianRelease } from '../debian/index.ts';

/**
 * The boxes of the seed's stack, bottom to top. Each catalogue image is the image below it plus
 * one layer: static = [root]; base-nossl = static + [libc]; base = base-nossl + [ssl];
 * cc = base + [cc]; python3, nodejsNN = cc + [runtime]; java-base = base-nossl + [java-base] (fonts,
 * the libraries of the JDK's native code, the Java trust store); javaNN = java-base + [runtime];
 * debug variants + [debug]. A `jdk` layer is debug-only: the debug variants of javaNN put
 * Debian's JDK (jcmd, jstack, jmap, jshell, ...) in it, under the debug layer.
 */
export type LayerKind = 'root' | 'libc' | 'ssl' | 'cc' | 'java-base' | 'runtime' | 'jdk' | 'debug';

export interface LayerSpec {
  kind: LayerKind;
  /** Debian packages requested for this layer; their dependencies come along unless a lower layer has them. */
  packages: readonly string[];
  /** Dependencies this layer leaves out on purpose, each with the reason (shown in the plan, not warned). */
  leaveOut?: Readonly<Record<string, string>>;
  /** Only in the debug variants (the `jdk` layer), below the debug layer. */
  debugOnly?: boolean;
}

export type RuntimeSpec =
  | { kind: 'python'; version: string }
  | { kind: 'node'; major: number }
  | { kind: 'java'; version: number };

/** One catalogue image for one Debian release. */
export interface BaseImageSpec {
  name: string;
  debian: DebianRelease;
  /** The layers in order, bottom first (the debug layer is added by the variant). */
  layers: readonly LayerSpec[];
  runtime?: RuntimeSpec;
  entrypoint?: readonly string[];
  /** Extra Env entries (PATH and SSL_CERT_FILE are always set). */
  env: readonly string[];
  /** One line for --list. */
  summary: string;
}

export type Variant = 'latest' | 'nonroot' | 'debug' | 'debug-nonroot';
export const VARIANTS: readonly Variant[] = ['latest', 'nonroot', 'debug', 'debug-nonroot'];
