/** Image transports: parse a reference, open it as a source, write to it as a sink. */
export { type ImageRef, openSource, parseImageRef } from '../cli/image-ref.ts';
