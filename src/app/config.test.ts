import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { loadConfigFile, mergeConfig, parseConfig } from './config.ts';
import { AppError } from './errors.ts';

async function rejects(text: string, message: RegExp): Promise<void> {
  await assert.rejects(parseConfig(text), (e: unknown) => {
    assert.ok(e instanceof AppError);
    assert.equal(e.code, 'APP_CONFIG_INVALID');
    assert.match(e.message, message);
    return true;
  });
}

describe('distill.yaml', () => {
  it('accepts every documented field and normalises ports, user, env and modes', async () => {
    const c = await parseConfig(
      [
        'base: nodejs22',
        'debian: 13',
        'archs: [amd64, arm64]',
        'packages: [libsqlite3-0]',
        'entrypoint: ["/nodejs/bin/node"]',
        'cmd: ["/app/server.js"]',
        'env: { NODE_ENV: production, RETRIES: 3 }',
        'ports: [8080, "53/udp"]',
        'user: 1000',
        'workdir: /srv',
        'labels: { team: web }',
        'annotations: { org.opencontainers.image.source: "https://example.invalid/x" }',
        'files:',
        '  - { source: conf/app.ini, destination: /etc/app.ini, mode: "0600", owner: "1000:1000" }',
        'writable: [/srv/uploads]',
        'tags: [app:1.0]',
        'jlink: true',
        'addModules: [jdk.localedata, java.naming]',
        'jlinkKeepAll: true',
      ].join('\n'),
    );
    assert.equal(c.jlink, true);
    assert.equal(c.jlinkKeepAll, true);
    assert.deepEqual(c.addModules, ['jdk.localedata', 'java.naming']);
    assert.deepEqual(c.ports, ['8080/tcp', '53/udp']);
    assert.equal(c.user, '1000');
    assert.deepEqual(c.env, { NODE_ENV: 'production', RETRIES: '3' });
    assert.deepEqual(c.files, [
      { source: 'conf/app.ini', destination: '/etc/app.ini', mode: 0o600, owner: '1000:1000' },
    ]);
    assert.deepEqual(c.archs, ['amd64', 'arm64']);
  });

  it('an empty file is an empty config', async () => {
    assert.deepEqual(await parseConfig(''), {});
    assert.deepEqual(await parseConfig('# only a comment\n'), {});
  });

  it('an unknown field names the field and its line', async () => {
    await rejects('base: cc\n\nentrypont: ["/app"]\n', /^distill\.yaml:3: entrypont: unknown field/);
  });

  it('a wrong type names the field (with its index) and line', async () => {
    await rejects(
      'base: cc\nports:\n  - 8080\n  - http\n',
      /^distill\.yaml:4: ports\[1\]: must be an integer or "NNNN\/tcp"$/,
    );
    await rejects('user: [1]\n', /^distill\.yaml:1: user: must be string,integer/);
    await rejects('workdir: app\n', /^distill\.yaml:1: workdir: must be an absolute path/);
    await rejects('kind: ruby\n', /^distill\.yaml:1: kind: must be one of node, python, java, native, go/);
    await rejects('jlink: yes please\n', /^distill\.yaml:1: jlink: must be boolean/);
    await rejects('jlinkKeepAll: all\n', /^distill\.yaml:1: jlinkKeepAll: must be boolean/);
    await rejects(
      'addModules: ["java.sql,java.xml"]\n',
      /^distill\.yaml:1: addModules\[0\]: must match pattern/,
    );
  });

  it('an unknown field inside files[] is reported at its line', async () => {
    await rejects(
      'files:\n  - source: a\n    destination: /a\n    perms: "0644"\n',
      /^distill\.yaml:4: files\[0\]\.perms: unknown field/,
    );
    await rejects(
      'files:\n  - source: a\n',
      /^distill\.yaml:2: files\[0\]: must have required property 'destination'/,
    );
  });

  it('several problems are all reported, in line order', async () => {
    await assert.rejects(parseConfig('ports: [x]\nbogus: 1\n'), (e: AppError) => {
      assert.deepEqual(
        e.message.split('\n').map((l) => l.split(':')[1]),
        ['1', '2'],
      );
      return true;
    });
  });

  it('YAML syntax errors and non-mappings are APP_CONFIG_INVALID with a line', async () => {
    await rejects('base: cc\nports: [8080\n', /^distill\.yaml:\d+: /);
    await rejects('- a\n- b\n', /^distill\.yaml:1: the file must be a mapping/);
    await rejects('base: a\nbase: b\n', /^distill\.yaml:2: /);
  });

  it('port numbers out of range are refused', async () => {
    await rejects('ports: [70000]\n', /ports\[0\]: must be an integer or "NNNN\/tcp"/);
  });

  it('loadConfigFile: undefined without a file; flags replace the fields they give', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'distill-config-'));
    try {
      assert.equal(await loadConfigFile(dir), undefined);
      await writeFile(join(dir, 'distill.yaml'), 'base: cc\nports: [80]\nuser: "0"\n');
      const file = await loadConfigFile(dir);
      const merged = mergeConfig(file, { base: 'base', ports: [], user: undefined });
      assert.deepEqual(merged, { base: 'base', ports: ['80/tcp'], user: '0' });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
