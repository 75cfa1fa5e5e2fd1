/** What push and pull report while they work; the CLI renders these, the library never prints. */
import type { Digest } from '../oci/index.ts';

export type RegistryEvent =
  | { type: 'blob-exists'; digest: Digest; size: number }
  | { type: 'blob-mounted'; digest: Digest; size: number; from: string }
  | { type: 'blob-upload-start'; digest: Digest; size: number; chunked: boolean }
  | { type: 'blob-progress'; digest: Digest; sent: number; size: number }
  | { type: 'blob-uploaded'; digest: Digest; size: number }
  | { type: 'manifest-exists'; digest: Digest; reference: string }
  | { type: 'manifest-pushed'; digest: Digest; reference: string; mediaType: string }
  | { type: 'manifest-fetched'; digest: Digest; reference: string; mediaType: string }
  | { type: 'blob-download-resumed'; digest: Digest; offset: number; message: string }
  | { type: 'retry'; what: string; attempt: number; delayMs: number; message: string };

export type EventSink = (e: RegistryEvent) => void;
