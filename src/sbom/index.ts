/** Software bills of materials of an image: SPDX 2.3 and CycloneDX 1.6 JSON from its inventory. */
export { cyclonedxBom } from './cyclonedx.ts';
export { SbomError, type SbomErrorCode } from './errors.ts';
export {
  type ImageSbom,
  type ImageSbomOptions,
  imageSbom,
  SBOM_FORMATS,
  type SbomFormat,
  sbomOf,
  sbomTime,
  serialise,
} from './generate.ts';
export { spdxDocument, spdxPackageId } from './spdx.ts';
export * from './subject.ts';
export { parseSbomFormat, writeSbomFile } from './write.ts';
