/** Media types of the OCI image spec and Docker's schema2, with predicates over them. */
export const MediaTypes = {
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  ociLayer: 'application/vnd.oci.image.layer.v1.tar',
  ociLayerGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  ociLayerZstd: 'application/vnd.oci.image.layer.v1.tar+zstd',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerManifestList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
  dockerLayerGzip: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
  dockerForeignLayer: 'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip',
} as const;

export type MediaType = string;

export function isIndex(mt: MediaType): boolean {
  return mt === MediaTypes.ociIndex || mt === MediaTypes.dockerManifestList;
}

export function isManifest(mt: MediaType): boolean {
  return mt === MediaTypes.ociManifest || mt === MediaTypes.dockerManifest;
}

export function isConfig(mt: MediaType): boolean {
  return mt === MediaTypes.ociConfig || mt === MediaTypes.dockerConfig;
}

export function isLayer(mt: MediaType): boolean {
  return (
    mt === MediaTypes.ociLayer ||
    mt === MediaTypes.ociLayerGzip ||
    mt === MediaTypes.ociLayerZstd ||
    mt === MediaTypes.dockerLayerGzip ||
    mt === MediaTypes.dockerForeignLayer ||
    mt === 'application/vnd.oci.image.layer.nondistributable.v1.tar+gzip'
  );
}

/** The compression a layer media type implies. */
export type Compression = 'none' | 'gzip' | 'zstd';

export function layerCompression(mt: MediaType): Compression {
  if (mt.endsWith('+zstd')) return 'zstd';
  if (mt.endsWith('gzip')) return 'gzip';
  return 'none';
}

/** The OCI layer media type for a compression. */
export function ociLayerMediaType(c: Compression): MediaType {
  return c === 'gzip'
    ? MediaTypes.ociLayerGzip
    : c === 'zstd'
      ? MediaTypes.ociLayerZstd
      : MediaTypes.ociLayer;
}
