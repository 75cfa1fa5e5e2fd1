/** Whether a /v2/ answer comes from a registry at all (see assertRegistryAnswer). */
import { RegistryError } from './errors.ts';
import { printable } from './http-error.ts';

/**
 * A registry's /v2/ says so: the Docker-Distribution-API-Version header (distribution, Docker Hub,
 * ghcr, Harbor, ...), a JSON body, or a 401 with a challenge. An endpoint that answers 200 with an
 * HTML page to everything (a captive portal, a web server on the wrong port) is not a registry,
 * and pushing to it or logging in to it must not "succeed".
 */
export function assertRegistryAnswer(url: URL, status: number, headers: Headers, body: string): void {
  const api = headers.get('docker-distribution-api-version') ?? '';
  if (/^registry\/2\./.test(api)) return;
  if (status === 401 && headers.get('www-authenticate')) return;
  const type = (headers.get('content-type') ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (status === 200 && /^application\/(.+\+)?json$/.test(type)) {
    try {
      JSON.parse(body || '{}');
      return;
    } catch {
      // falls through: "JSON" that is not JSON is not the registry API either
    }
  }
  throw new RegistryError(
    'REGISTRY_NOT_A_REGISTRY',
    `${url.href} answered HTTP ${status} with ${printable(type) || 'no content type'} and no Docker-Distribution-API-Version header: this is not an OCI registry (check the host and port)`,
    { status },
  );
}
