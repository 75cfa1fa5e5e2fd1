/**
 * A fault-injecting reverse proxy in front of a real registry, on loopback. It forwards requests
 * as they are (the Host header too, so the registry's Location headers point back at the proxy),
 * records each one, and lets a test decide per request to answer a status, reset the connection
 * mid-body (request or response), or stall the response body.
 */
import { createServer, type IncomingMessage, request, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { TestContext } from 'node:test';

export type Fault =
  | { kind: 'status'; status: number; headers?: Record<string, string>; body?: string }
  /** Forward part of the request body, then drop the connection (a reset mid-upload). */
  | { kind: 'reset-upload'; afterBytes: number }
  /** Forward the request, send part of the response body, then drop the connection. */
  | { kind: 'reset-download'; afterBytes: number }
  /** Forward the request, send headers and part of the body, then send nothing more. */
  | { kind: 'stall'; afterBytes: number }
  /** Rewrite the response body (e.g. a tampered manifest). */
  | { kind: 'rewrite'; fn: (body: Buffer) => Buffer }
  /** Drop the connection without answering. */
  | { kind: 'reset' };

/** Which connection a request came on (counted from 0) and how many came on it before. */
export interface ConnectionInfo {
  id: number;
  index: number;
}

export interface ProxyRecord {
  method: string;
  path: string;
  status: number;
  fault?: Fault['kind'];
}

export interface FaultProxy {
  host: string;
  records: ProxyRecord[];
  /** Chooses a fault for a request (n: how many requests came before). */
  plan: ((req: IncomingMessage, n: number, conn: ConnectionInfo) => Fault | undefined) | undefined;
  /** Requests recorded with `method` whose path contains `part`. */
  count(method: string, part?: string): number;
}

export async function startFaultProxy(t: Pick<TestContext, 'after'>, upstream: string): Promise<FaultProxy> {
  const [uh, up] = upstream.split(':') as [string, string];
  const sockets = new Set<Socket>();
  const proxy: FaultProxy = {
    host: '',
    records: [],
    plan: undefined,
    count: (m, part = '') => proxy.records.filter((r) => r.method === m && r.path.includes(part)).length,
  };
  let n = 0;
  let connections = 0;
  const perSocket = new WeakMap<Socket, ConnectionInfo>();
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let conn = perSocket.get(req.socket);
    if (!conn) {
      conn = { id: connections++, index: 0 };
      perSocket.set(req.socket, conn);
    }
    const fault = proxy.plan?.(req, n++, { ...conn });
    conn.index++;
    const rec: ProxyRecord = {
      method: req.method ?? '',
      path: req.url ?? '',
      status: 0,
      ...(fault ? { fault: fault.kind } : {}),
    };
    proxy.records.push(rec);
    if (fault?.kind === 'reset') {
      req.socket.destroy();
      return;
    }
    if (fault?.kind === 'status') {
      rec.status = fault.status;
      req.resume();
      const body = fault.body ?? '{"errors":[{"code":"UNAVAILABLE","message":"injected fault"}]}';
      // An explicit length keeps the connection reusable, as a real registry's answers are.
      res.writeHead(fault.status, {
        'content-type': 'application/json',
        'content-length': String(Buffer.byteLength(body)),
        ...fault.headers,
      });
      res.end(req.method === 'HEAD' ? undefined : body);
      return;
    }
    const upReq = request(
      { host: uh, port: Number(up), method: req.method, path: req.url, headers: req.headers },
      (upRes) => {
        rec.status = upRes.statusCode ?? 0;
        if (fault?.kind === 'rewrite') {
          const chunks: Buffer[] = [];
          upRes.on('data', (c: Buffer) => chunks.push(c));
          upRes.on('end', () => {
            const body = fault.fn(Buffer.concat(chunks));
            res.writeHead(upRes.statusCode ?? 502, {
              ...upRes.headers,
              'content-length': String(body.length),
            });
            res.end(body);
          });
          return;
        }
        res.writeHead(upRes.statusCode ?? 502, upRes.headers);
        if (fault?.kind === 'reset-download' || fault?.kind === 'stall') {
          let sent = 0;
          upRes.on('data', (c: Buffer) => {
            if (sent >= fault.afterBytes) return;
            const part = c.subarray(0, fault.afterBytes - sent);
            sent += part.length;
            res.write(part);
            if (sent >= fault.afterBytes) {
              if (fault.kind === 'reset-download') setTimeout(() => res.socket?.destroy(), 10);
              upRes.destroy();
            }
          });
          return;
        }
        upRes.pipe(res);
      },
    );
    upReq.on('error', () => res.socket?.destroy());
    if (fault?.kind === 'reset-upload') {
      let seen = 0;
      req.on('data', (c: Buffer) => {
        seen += c.length;
        if (seen <= fault.afterBytes) upReq.write(c);
        else {
          upReq.destroy();
          req.socket.destroy();
        }
      });
      req.on('end', () => {
        upReq.destroy();
        req.socket.destroy();
      });
      return;
    }
    req.pipe(upReq);
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  t.after(
    () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  );
  const a = server.address();
  proxy.host = `127.0.0.1:${typeof a === 'object' && a ? a.port : 0}`;
  return proxy;
}
