/**
 * An in-process OCI registry for tests (after go-containerregistry's pkg/registry): blobs,
 * monolithic and chunked uploads, cross-repository mounts, manifests by tag and digest with
 * their media types, Range reads, and optional Basic or bearer-token auth with scopes. Its
 * `fetch` answers Requests directly, so unit tests need no sockets; `log` records every request
 * and `intercept` lets a test inject faults.
 */
import { createHash, randomUUID } from 'node:crypto';
import { isIndex, isManifest } from '../../oci/media-types.ts';

export interface FakeAuth {
  type: 'basic' | 'token';
  users: Record<string, string>;
  /** Anonymous pull allowed (token auth). */
  anonymousPull?: boolean;
  /** Refresh (identity) tokens accepted by the token endpoint's POST form, each naming its user. */
  refreshTokens?: Record<string, string>;
}

export interface LogEntry {
  method: string;
  path: string;
  status: number;
  authorization?: string;
}

interface Repo {
  blobs: Set<string>;
  manifests: Map<string, { raw: Buffer; mediaType: string }>;
  tags: Map<string, string>;
}

const sha = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;
const DIGEST = /^sha256:[a-f0-9]{64}$/;

function err(status: number, code: string, message: string, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify({ errors: [{ code, message, detail: {} }] }), {
    status,
    headers: { 'content-type': 'application/json', ...headers },
  });
}

export class FakeRegistry {
  readonly origin: string;
  readonly host: string;
  readonly blobs = new Map<string, Buffer>();
  readonly repos = new Map<string, Repo>();
  readonly log: LogEntry[] = [];
  private readonly uploads = new Map<string, { repo: string; parts: Buffer[]; size: number }>();
  private readonly tokens = new Map<string, { user?: string; scopes: string[] }>();
  /** Answer the OCI 1.1 referrers API (`GET /v2/<name>/referrers/<digest>`); off, as in distribution 2.8. */
  referrersApi = false;
  /**
   * Cross-repository mounts: 'from' (distribution's: `mount` with `from`), 'anywhere' (also
   * `mount` alone, from any repository holding the blob), 'refuse' (every mount gets an upload
   * session, as registries without mounts answer).
   */
  mounts: 'from' | 'anywhere' | 'refuse' = 'from';
  /** Return a Response (or throw, as a reset would) to replace the normal answer. */
  intercept: ((req: Request, url: URL) => Response | undefined | Promise<Response | undefined>) | undefined;

  constructor(
    host = '127.0.0.1:5999',
    readonly auth?: FakeAuth,
  ) {
    this.host = host;
    this.origin = `http://${host}`;
  }

  /** A fetch that this registry answers (other origins are an error). */
  readonly fetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const req = new Request(input, init);
    const url = new URL(req.url);
    if (url.origin !== this.origin)
      throw new TypeError('fetch failed', { cause: { code: 'ENOTFOUND' } as unknown as Error });
    const injected = await this.intercept?.(req, url);
    const res = injected ?? (await this.handle(req, url));
    this.log.push({
      method: req.method,
      path: url.pathname + url.search,
      status: res.status,
      ...(req.headers.get('authorization')
        ? { authorization: req.headers.get('authorization') as string }
        : {}),
    });
    return res;
  };

  repo(name: string): Repo {
    let r = this.repos.get(name);
    if (!r) {
      r = { blobs: new Set(), manifests: new Map(), tags: new Map() };
      this.repos.set(name, r);
    }
    return r;
  }

  /** Forgets every token it issued (as if they expired). */
  expireTokens(): void {
    this.tokens.clear();
  }

  /** Requests in the log matching method and a path test. */
  count(method: string, pathIncludes = ''): number {
    return this.log.filter((l) => l.method === method && l.path.includes(pathIncludes)).length;
  }

  private challenge(scope?: string): Record<string, string> {
    if (this.auth?.type === 'basic') return { 'www-authenticate': 'Basic realm="fake"' };
    return {
      'www-authenticate': `Bearer realm="${this.origin}/token",service="fake"${scope ? `,scope="${scope}"` : ''}`,
    };
  }

  private basicUser(req: Request): string | undefined | null {
    const h = req.headers.get('authorization');
    if (!h?.startsWith('Basic ')) return undefined;
    const [u, p] = Buffer.from(h.slice(6), 'base64').toString().split(/:(.*)/s);
    return u !== undefined && this.auth?.users[u] === p ? u : null;
  }

  private async issueToken(req: Request, url: URL): Promise<Response> {
    if (req.method === 'POST') {
      const form = new URLSearchParams(await req.text());
      const user = this.auth?.refreshTokens?.[form.get('refresh_token') ?? ''];
      if (form.get('grant_type') !== 'refresh_token' || !user)
        return err(401, 'UNAUTHORIZED', 'bad refresh token');
      const token = randomUUID();
      this.tokens.set(token, { user, scopes: (form.get('scope') ?? '').split(' ').filter(Boolean) });
      return Response.json({ access_token: token, expires_in: 300 });
    }
    const user = this.basicUser(req);
    if (user === null) return err(401, 'UNAUTHORIZED', 'bad credentials');
    const scopes = user || this.auth?.anonymousPull ? url.searchParams.getAll('scope') : [];
    const granted = scopes.map((s) => (user ? s : s.replace(/:[^:]*$/, ':pull')));
    const token = randomUUID();
    this.tokens.set(token, { ...(user ? { user } : {}), scopes: granted });
    return Response.json({ token, expires_in: 300 });
  }

  /** Whether the request may do `action` on `repo`. */
  private allowed(req: Request, repo: string, action: 'pull' | 'push'): boolean {
    if (!this.auth) return true;
    if (this.auth.type === 'basic') return Boolean(this.basicUser(req));
    const h = req.headers.get('authorization');
    const t = h?.startsWith('Bearer ') ? this.tokens.get(h.slice(7)) : undefined;
    return Boolean(
      t?.scopes.some((s) => {
        const [type, name, actions] = s.split(':');
        return type === 'repository' && name === repo && (actions ?? '').split(',').includes(action);
      }),
    );
  }

  private async handle(req: Request, url: URL): Promise<Response> {
    const path = url.pathname;
    if (path === '/token' && this.auth?.type === 'token') return this.issueToken(req, url);
    if (path === '/v2/' || path === '/v2') {
      if (this.auth && !(this.auth.type === 'basic' ? this.basicUser(req) : req.headers.get('authorization')))
        return err(401, 'UNAUTHORIZED', 'authentication required', this.challenge());
      if (this.auth?.type === 'basic' && this.basicUser(req) === null)
        return err(401, 'UNAUTHORIZED', 'bad', this.challenge());
      return Response.json({});
    }
    const m =
      /^\/v2\/(.+?)\/(blobs\/uploads\/?(.*)|blobs\/([^/]+)|manifests\/([^/]+)|tags\/list|referrers\/([^/]+))$/.exec(
        path,
      );
    if (!m) return err(404, 'NOT_FOUND', 'no route');
    const name = m[1] as string;
    const write = !['GET', 'HEAD'].includes(req.method);
    if (!this.allowed(req, name, write ? 'push' : 'pull')) {
      const scope = `repository:${name}:${write ? 'push,pull' : 'pull'}`;
      return err(401, 'UNAUTHORIZED', 'authentication required', this.challenge(scope));
    }
    if (m[2]?.startsWith('blobs/uploads')) return this.upload(req, url, name, m[3] ?? '');
    if (m[4]) return this.blob(req, name, m[4]);
    if (m[5]) return this.manifest(req, name, m[5]);
    if (m[6]) {
      if (!this.referrersApi || req.method !== 'GET') return err(404, 'NOT_FOUND', 'no route');
      return this.referrers(name, m[6], url.searchParams.get('artifactType'));
    }
    const r = this.repos.get(name);
    if (!r) return err(404, 'NAME_UNKNOWN', `repository ${name} not known`);
    return Response.json({ name, tags: [...r.tags.keys()].sort() });
  }

  private blob(req: Request, name: string, digest: string): Response {
    const b = this.blobs.get(digest);
    if (!b || !this.repos.get(name)?.blobs.has(digest))
      return err(404, 'BLOB_UNKNOWN', `blob ${digest} unknown`);
    const headers = { 'docker-content-digest': digest, 'content-type': 'application/octet-stream' };
    if (req.method === 'HEAD')
      return new Response(null, { status: 200, headers: { ...headers, 'content-length': String(b.length) } });
    const range = /^bytes=(\d+)-$/.exec(req.headers.get('range') ?? '');
    if (range) {
      const start = Number(range[1]);
      return new Response(new Uint8Array(b.subarray(start)), {
        status: 206,
        headers: { ...headers, 'content-range': `bytes ${start}-${b.length - 1}/${b.length}` },
      });
    }
    return new Response(new Uint8Array(b), { status: 200, headers });
  }

  private commit(name: string, data: Buffer, digest: string): Response {
    if (!DIGEST.test(digest) || sha(data) !== digest)
      return err(400, 'DIGEST_INVALID', `content is ${sha(data)}, not ${digest}`);
    this.blobs.set(digest, data);
    this.repo(name).blobs.add(digest);
    return new Response(null, {
      status: 201,
      headers: { location: `/v2/${name}/blobs/${digest}`, 'docker-content-digest': digest },
    });
  }

  private async upload(req: Request, url: URL, name: string, id: string): Promise<Response> {
    const body = Buffer.from(await req.arrayBuffer());
    if (req.method === 'POST' && !id) {
      const mount = url.searchParams.get('mount');
      const from = url.searchParams.get('from');
      const fromOk =
        this.mounts !== 'refuse' &&
        from &&
        this.repos.get(from)?.blobs.has(mount ?? '') &&
        this.allowed(req, from, 'pull');
      const anyOk = this.mounts === 'anywhere' && !from && this.blobs.has(mount ?? '');
      if (mount && (fromOk || anyOk)) {
        this.repo(name).blobs.add(mount);
        return new Response(null, {
          status: 201,
          headers: { location: `/v2/${name}/blobs/${mount}`, 'docker-content-digest': mount },
        });
      }
      const digest = url.searchParams.get('digest');
      if (digest) return this.commit(name, body, digest);
      const uuid = randomUUID();
      this.uploads.set(uuid, { repo: name, parts: [], size: 0 });
      return new Response(null, {
        status: 202,
        headers: { location: `/v2/${name}/blobs/uploads/${uuid}`, range: '0-0' },
      });
    }
    const u = this.uploads.get(id);
    if (!u || u.repo !== name) return err(404, 'BLOB_UPLOAD_UNKNOWN', `upload ${id} unknown`);
    const loc = `/v2/${name}/blobs/uploads/${id}`;
    if (req.method === 'PATCH' || (req.method === 'PUT' && body.length)) {
      const cr = /^(\d+)-(\d+)$/.exec(req.headers.get('content-range') ?? '');
      if (cr && (Number(cr[1]) !== u.size || Number(cr[2]) - Number(cr[1]) + 1 !== body.length)) {
        return new Response(null, { status: 416, headers: { location: loc, range: `0-${u.size - 1}` } });
      }
      u.parts.push(body);
      u.size += body.length;
    }
    if (req.method === 'DELETE') {
      this.uploads.delete(id);
      return new Response(null, { status: 204 });
    }
    if (req.method === 'PATCH')
      return new Response(null, { status: 202, headers: { location: loc, range: `0-${u.size - 1}` } });
    if (req.method === 'GET')
      return new Response(null, { status: 204, headers: { location: loc, range: `0-${u.size - 1}` } });
    if (req.method === 'PUT') {
      this.uploads.delete(id);
      return this.commit(name, Buffer.concat(u.parts), url.searchParams.get('digest') ?? '');
    }
    return err(405, 'UNSUPPORTED', req.method);
  }

  /** The referrers index of `digest`: manifests in `name` whose subject is it, filtered by artifactType. */
  private referrers(name: string, digest: string, artifactType: string | null): Response {
    const manifests: object[] = [];
    for (const [d, m] of this.repos.get(name)?.manifests ?? []) {
      const j = JSON.parse(m.raw.toString()) as {
        subject?: { digest?: string };
        artifactType?: string;
        config?: { mediaType?: string };
        annotations?: Record<string, string>;
      };
      if (j.subject?.digest !== digest) continue;
      const type = j.artifactType ?? j.config?.mediaType;
      if (artifactType && type !== artifactType) continue;
      manifests.push({
        mediaType: m.mediaType,
        digest: d,
        size: m.raw.length,
        ...(type ? { artifactType: type } : {}),
        ...(j.annotations ? { annotations: j.annotations } : {}),
      });
    }
    const headers: Record<string, string> = { 'content-type': 'application/vnd.oci.image.index.v1+json' };
    if (artifactType) headers['oci-filters-applied'] = 'artifactType';
    return new Response(JSON.stringify({ schemaVersion: 2, mediaType: headers['content-type'], manifests }), {
      status: 200,
      headers,
    });
  }

  private async manifest(req: Request, name: string, ref: string): Promise<Response> {
    const r = this.repos.get(name);
    if (req.method === 'PUT') {
      const raw = Buffer.from(await req.arrayBuffer());
      const mediaType = (req.headers.get('content-type') ?? '').split(';')[0] as string;
      let j: {
        mediaType?: string;
        config?: { digest: string };
        layers?: { digest: string }[];
        manifests?: { digest: string }[];
      };
      try {
        j = JSON.parse(raw.toString());
      } catch {
        return err(400, 'MANIFEST_INVALID', 'not JSON');
      }
      if (j.mediaType && j.mediaType !== mediaType)
        return err(400, 'MANIFEST_INVALID', 'media type differs from Content-Type');
      const repo = this.repo(name);
      const missing = isManifest(mediaType)
        ? [j.config?.digest, ...(j.layers ?? []).map((l) => l.digest)].filter((d) => !d || !repo.blobs.has(d))
        : isIndex(mediaType)
          ? (j.manifests ?? []).map((d) => d.digest).filter((d) => !repo.manifests.has(d))
          : ['(unknown media type)'];
      if (missing.length)
        return err(400, 'MANIFEST_BLOB_UNKNOWN', `blob unknown to registry: ${missing.join(', ')}`);
      const digest = sha(raw);
      if (DIGEST.test(ref) && ref !== digest) return err(400, 'DIGEST_INVALID', 'digest differs');
      repo.manifests.set(digest, { raw, mediaType });
      if (!DIGEST.test(ref)) repo.tags.set(ref, digest);
      const subject = (j as { subject?: { digest?: string } }).subject?.digest;
      return new Response(null, {
        status: 201,
        headers: {
          'docker-content-digest': digest,
          location: `/v2/${name}/manifests/${digest}`,
          ...(this.referrersApi && subject ? { 'oci-subject': subject } : {}),
        },
      });
    }
    const digest = DIGEST.test(ref) ? ref : r?.tags.get(ref);
    const m = digest ? r?.manifests.get(digest) : undefined;
    if (!m || !digest) return err(404, 'MANIFEST_UNKNOWN', `manifest ${ref} unknown`);
    const headers = {
      'content-type': m.mediaType,
      'docker-content-digest': digest,
      'content-length': String(m.raw.length),
    };
    return new Response(req.method === 'HEAD' ? null : new Uint8Array(m.raw), { status: 200, headers });
  }
}
