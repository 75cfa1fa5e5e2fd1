/**
 * --quiet on the registry commands: `distill push` prints a line per blob (uploaded, exists) on
 * stderr, and none with --quiet; `distill pull --quiet` prints nothing on stderr either. The result
 * on stdout is the same. Runs the CNCF registry (docker-registry).
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { writeLayout } from '../../src/oci/layout/index.ts';
import { distill } from '../helpers/cli.ts';
import { requireTool, tempDir } from '../helpers/tools.ts';
import { smallImage } from './fixtures.ts';
import { startRegistry } from './registry-server.ts';

describe('registry commands: --quiet', () => {
  it('push prints one line per blob, none with --quiet; pull --quiet prints nothing on stderr', async (t) => {
    if (!requireTool(t, 'docker-registry', 'docker-registry')) return;
    const dir = await tempDir(t);
    const reg = await startRegistry(t);
    await writeLayout(join(dir, 'layout'), [{ artifact: await smallImage(dir), tag: 'v1' }]);
    const env = { DOCKER_CONFIG: dir };
    const src = `oci:${join(dir, 'layout')}:v1`;

    const loud = distill(['push', src, `${reg.host}/quiet/loud:1`], env);
    assert.equal(loud.status, 0, loud.stderr);
    assert.match(loud.stderr, /^ {2}[0-9a-f]{12} {2}uploaded \(/m);
    const quiet = distill(['push', src, `${reg.host}/quiet/hush:1`, '-q'], env);
    assert.equal(quiet.status, 0, quiet.stderr);
    assert.equal(quiet.stderr, '');
    // The same blobs, in another repository of the registry: remembered, so mounted, not sent.
    assert.equal(
      quiet.stdout,
      loud.stdout
        .replace('quiet/loud:1', 'quiet/hush:1')
        .replace(/3 blobs uploaded \(\d+ bytes\), 0 mounted/, '0 blobs uploaded (0 bytes), 3 mounted'),
    );

    const pulled = distill(
      ['pull', `${reg.host}/quiet/hush:1`, '--output', join(dir, 'pulled'), '--quiet'],
      env,
    );
    assert.equal(pulled.status, 0, pulled.stderr);
    assert.equal(pulled.stderr, '');
  });
});
