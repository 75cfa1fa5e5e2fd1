/**
 * Assembling catalogue images: what distroless adds to a root besides Debian packages (the root
 * files, the CA bundle, the Java trust store, the busybox debug tree), the plan of a base's layers,
 * the layer cache, and the build of a catalogue image per architecture and its index.
 */
export { baseAnnotations, runtimeLabels, upstreamVersion } from './base-annotations.ts';
export * from './base-image.ts';
export * from './base-layers.ts';
export * from './base-plan.ts';
export * from './busybox.ts';
export { busyboxApplets, busyboxVersion } from './busybox-applets.ts';
export * from './ca-bundle.ts';
export * from './catalogue-build.ts';
export * from './errors.ts';
export { WRITABLE_LABEL } from './image-labels.ts';
export * from './java-keystore.ts';
export * from './layer-cache.ts';
export * from './root-files.ts';
export * from './slim.ts';
