/**
 * Assembly pieces: what distroless adds to a root besides Debian packages — the root files
 * (accounts, homes, /tmp, nsswitch.conf, os-release), the CA bundle, the Java trust store and the
 * busybox debug tree. Each returns LayerEntry values (or bytes) for the layer writer.
 * (ld-so-cache* belongs to another module owner and exports itself from its own file.)
 */
export * from './busybox.ts';
export { busyboxApplets, busyboxVersion } from './busybox-applets.ts';
export * from './ca-bundle.ts';
export * from './errors.ts';
export * from './java-keystore.ts';
export * from './root-files.ts';
