import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, it } from 'node:test';
import { type DockerEngineError, dockerSocket, loadDockerArchive, saveDockerImage } from './docker-engine.ts';

const dirs: string[] = [];
after(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

/** A unix-socket HTTP server standing in for dockerd's /images/load. */
async function engine(reply: (body: Buffer) => { status: number; body: string }): Promise<{
  socket: string;
  archive: string;
  server: Server;
  got: { path?: string; type?: string; bytes?: number };
}> {
  const dir = await mkdtemp(join(tmpdir(), 'distill-engine-'));
  dirs.push(dir);
  const socket = join(dir, 'docker.sock');
  const archive = join(dir, 'image.tar');
  await writeFile(archive, Buffer.alloc(3000, 7));
  const got: { path?: string; type?: string; bytes?: number } = {};
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      Object.assign(got, {
        path: `${req.method} ${req.url}`,
        type: req.headers['content-type'],
        bytes: body.length,
      });
      const r = reply(body);
      res.writeHead(r.status, { 'content-type': 'application/json' });
      res.end(r.body);
    });
  });
  await new Promise<void>((r) => server.listen(socket, r));
  return { socket, archive, server, got };
}

describe('Docker Engine API: POST /images/load over the unix socket', () => {
  it('streams the archive and returns what the engine loaded', async () => {
    const e = await engine(() => ({ status: 200, body: '{"stream":"Loaded image: app:1.0\\n"}\n' }));
    try {
      const r = await loadDockerArchive(e.archive, e.socket);
      assert.deepEqual(r.messages, ['Loaded image: app:1.0']);
      assert.deepEqual(e.got, { path: 'POST /images/load', type: 'application/x-tar', bytes: 3000 });
    } finally {
      e.server.close();
    }
  });

  it('an {"error": ...} line in a 200 response is DOCKER_LOAD_FAILED', async () => {
    const e = await engine(() => ({
      status: 200,
      body: '{"errorDetail":{"message":"invalid tar header"},"error":"invalid tar header"}\n',
    }));
    try {
      await assert.rejects(loadDockerArchive(e.archive, e.socket), (err: DockerEngineError) => {
        assert.equal(err.code, 'DOCKER_LOAD_FAILED');
        assert.match(err.message, /invalid tar header/);
        return true;
      });
    } finally {
      e.server.close();
    }
  });

  it('an error status is DOCKER_LOAD_FAILED with the engine message', async () => {
    const e = await engine(() => ({ status: 500, body: '{"message":"no space left on device"}' }));
    try {
      await assert.rejects(loadDockerArchive(e.archive, e.socket), /DOCKER_LOAD_FAILED|no space left/);
    } finally {
      e.server.close();
    }
  });

  it('no engine behind the socket is DOCKER_ENGINE_UNREACHABLE; DOCKER_HOST picks the socket', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'distill-engine-'));
    dirs.push(dir);
    await writeFile(join(dir, 'x.tar'), 'x');
    await assert.rejects(loadDockerArchive(join(dir, 'x.tar'), join(dir, 'none.sock')), {
      code: 'DOCKER_ENGINE_UNREACHABLE',
    });
    assert.equal(dockerSocket({}), '/var/run/docker.sock');
    assert.equal(
      dockerSocket({ DOCKER_HOST: 'unix:///run/user/1000/docker.sock' }),
      '/run/user/1000/docker.sock',
    );
    assert.throws(() => dockerSocket({ DOCKER_HOST: 'tcp://10.0.0.1:2375' }), {
      code: 'DOCKER_ENGINE_UNREACHABLE',
    });
  });
});

describe('Docker Engine API: GET /images/{name}/get (the docker-daemon: source)', () => {
  it('streams the exported tar into FILE, asking for the name URL-encoded', async () => {
    const e = await engine(() => ({ status: 200, body: 'tar bytes' }));
    try {
      const out = join(dirname(e.archive), 'out.tar');
      await saveDockerImage('reg:5000/app:1.0', e.socket, out);
      assert.equal(await readFile(out, 'utf8'), 'tar bytes');
      assert.equal(e.got.path, 'GET /images/reg%3A5000%2Fapp%3A1.0/get');
    } finally {
      e.server.close();
    }
  });

  it('an unknown image is DOCKER_IMAGE_NOT_FOUND, another error DOCKER_SAVE_FAILED; no file is left', async () => {
    for (const [status, code] of [
      [404, 'DOCKER_IMAGE_NOT_FOUND'],
      [500, 'DOCKER_SAVE_FAILED'],
    ] as const) {
      const e = await engine(() => ({ status, body: '{"message":"reference does not exist"}' }));
      try {
        const dir = dirname(e.archive);
        await assert.rejects(
          saveDockerImage('nope:1', e.socket, join(dir, 'out.tar')),
          (err: DockerEngineError) => {
            assert.equal(err.code, code);
            assert.match(err.message, /reference does not exist/);
            return true;
          },
        );
        assert.deepEqual((await readdir(dir)).sort(), ['docker.sock', 'image.tar']);
      } finally {
        e.server.close();
      }
    }
  });

  it('no engine is DOCKER_ENGINE_UNREACHABLE', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'distill-engine-'));
    dirs.push(dir);
    await assert.rejects(saveDockerImage('x', join(dir, 'none.sock'), join(dir, 'o.tar')), {
      code: 'DOCKER_ENGINE_UNREACHABLE',
    });
  });
});
