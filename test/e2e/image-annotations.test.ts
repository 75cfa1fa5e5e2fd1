/**
 * Issue 14 item 6: catalogue images carry org.opencontainers.image.{version,revision,source} of
 * their packaged software and the runtime's version in upstream form next to Debian's (manifest
 * annotations, and the dev.distill.* ones as config labels too, where `docker inspect` shows
 * them); application images carry base.name/base.digest of their base and the project's git
 * origin, commit and tag as source/revision/version (credentials never copied). The upstream
 * versions are checked against what the runtimes print in the image. Needs the Debian archive,
 * the npm registry and docker.
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { publicRepoUrl } from '../../src/app/index.ts';
import { upstreamVersion } from '../../src/assemble/index.ts';
import { distill, needTools } from '../helpers/cli.ts';
import { buildBase, dockerLoad, dockerRemove } from '../helpers/docker.ts';
import { layoutManifest } from '../helpers/layout-tree.ts';
import { run, runOk } from '../helpers/tools.ts';

let work: Promise<string> | undefined;
const dir = () => (work ??= mkdtemp(join(tmpdir(), 'distill-e2e-annotations-')));
const loaded: string[] = [];
after(async () => {
  dockerRemove(loaded);
  if (work) await rm(await work, { recursive: true, force: true });
});

async function configOf(layout: string): Promise<{ config: { Labels?: Record<string, string> } }> {
  const m = await layoutManifest(layout);
  return JSON.parse(await readFile(join(layout, 'blobs/sha256', m.config.digest.slice(7)), 'utf8'));
}

describe('OCI annotations and runtime version labels', () => {
  test('upstream versions and public repository URLs', () => {
    assert.equal(upstreamVersion('3.13.5-2+deb13u5'), '3.13.5');
    assert.equal(upstreamVersion('21.0.13.1+2-1~deb13u1'), '21.0.13.1');
    assert.equal(upstreamVersion('13.8+deb13u8'), '13.8');
    assert.equal(upstreamVersion('1:4.4.38-1'), '4.4.38');
    assert.equal(upstreamVersion('20.19.2+dfsg-1+deb13u3'), '20.19.2');
    assert.equal(publicRepoUrl('git@git.example:me/app.git'), 'https://git.example/me/app');
    assert.equal(publicRepoUrl('https://user:secret@git.example/me/app.git'), 'https://git.example/me/app');
    assert.equal(publicRepoUrl('ssh://git@git.example:2222/me/app'), 'https://git.example/me/app');
    assert.equal(publicRepoUrl('/srv/git/app.git'), undefined);
    assert.equal(publicRepoUrl('file:///srv/git/app.git'), undefined);
  });

  test('python3, java21, nodejs22 and static say what they package', { timeout: 1_200_000 }, async (t) => {
    if (!needTools(t, ['docker.io:docker'])) return;
    const d = await dir();
    const cases = [
      { name: 'python3', key: 'python', run: ['--version'], printed: /^Python (\S+)$/m },
      { name: 'java21', key: 'java', run: ['-version'], printed: /^openjdk version "([^"]+)"/m },
      { name: 'nodejs22', key: 'nodejs', run: ['--version'], printed: /^v(\S+)$/m },
      { name: 'static', key: undefined, run: [], printed: /$/ },
    ];
    for (const c of cases) {
      const layout = join(d, c.name);
      const archive = join(d, `${c.name}.tar`);
      const tag = `distill-e2e-annotations-${process.pid}/${c.name}:latest`;
      const r = await buildBase(c.name, ['--output', layout, '--archive', archive, '--tag', tag, '-q']);
      const a = (await layoutManifest(layout)).annotations ?? {};
      const labels = (await configOf(layout)).config.Labels ?? {};
      const version = a['org.opencontainers.image.version'] as string;
      const revision = a['org.opencontainers.image.revision'] as string;
      assert.ok(version && revision, `${c.name}: ${JSON.stringify(a)}`);
      assert.match(a['org.opencontainers.image.source'] ?? '', /^https:\/\//);
      if (c.name === 'static') {
        assert.match(version, /^13\.\d+$/);
        assert.match(a['org.opencontainers.image.source'] ?? '', /\/base-files\//);
        assert.deepEqual(labels, {});
        continue;
      }
      assert.equal(a[`dev.distill.${c.key}.version`], version);
      assert.equal(labels[`dev.distill.${c.key}.version`], version, 'the config label matches');
      assert.equal(
        labels['org.opencontainers.image.version'],
        undefined,
        'OCI annotations stay in the manifest',
      );
      if (c.key !== 'nodejs') {
        assert.equal(a[`dev.distill.${c.key}.debian-version`], r.runtimeVersion);
        assert.equal(revision, r.runtimeVersion);
        assert.equal(version, upstreamVersion(r.runtimeVersion as string));
      }
      // The runtime in the image prints the upstream version the annotation names.
      assert.deepEqual(await dockerLoad(archive), [tag]);
      loaded.push(tag);
      const ran = run('docker', ['run', '--rm', tag, ...c.run]);
      assert.equal(ran.status, 0, ran.stderr);
      const printed = c.printed.exec(`${ran.stdout}${ran.stderr}`)?.[1];
      assert.equal(
        printed?.replace(/\+.*$/, ''),
        version,
        `${c.name} prints ${printed}, annotated ${version}`,
      );
    }
  });

  test('an application image names its base and its git origin, commit and tag', {
    timeout: 1_200_000,
  }, async (t) => {
    if (!needTools(t, ['docker.io:docker', 'git'])) return;
    const app = join(await dir(), 'app');
    await mkdir(app, { recursive: true });
    await writeFile(join(app, 'distill.yaml'), 'base: static\nentrypoint: ["/app/hello.txt"]\n');
    await writeFile(join(app, 'hello.txt'), 'hello\n', { mode: 0o755 });
    await writeFile(join(app, '.gitignore'), 'distill.lock\n');
    const git = (...args: string[]) =>
      runOk('git', ['-c', 'user.name=t', '-c', 'user.email=t@t.example', ...args], {
        cwd: app,
        encoding: 'utf8',
      });
    git('init', '-q');
    git('remote', 'add', 'origin', 'https://someone:secret-token@git.example/team/app.git');
    git('add', '.');
    git('commit', '-q', '-m', 'app');
    git('tag', '-a', 'v1.2.3', '-m', 'release');
    git('pack-refs', '--all');
    const head = git('rev-parse', 'HEAD').trim();
    const out = join(await dir(), 'app-layout');
    const r = distill(['build', app, '--output', out, '--json', '-q']);
    assert.equal(r.status, 0, r.stderr);
    const a = (await layoutManifest(out)).annotations ?? {};
    assert.equal(a['org.opencontainers.image.source'], 'https://git.example/team/app');
    assert.equal(a['org.opencontainers.image.revision'], head);
    assert.equal(a['org.opencontainers.image.version'], '1.2.3');
    assert.match(a['org.opencontainers.image.base.name'] ?? '', /static/);
    assert.match(a['org.opencontainers.image.base.digest'] ?? '', /^sha256:[0-9a-f]{64}$/);
    assert.ok(!JSON.stringify(a).includes('secret-token'), 'no credentials in the annotations');
  });
});
