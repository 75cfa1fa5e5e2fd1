import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { contentHashes } from '../files/index.ts';
import { ignoreRules, loadIgnoreRules } from './ignore.ts';
import { treeEntries } from './layout.ts';

const kept = (lines: string[], paths: string[]) => {
  const r = ignoreRules(lines);
  return paths.filter((p) => !r.ignored(p));
};

describe(".dockerignore semantics (the examples of docker's documentation)", () => {
  it('*/temp*, */*/temp*, temp? and comments', () => {
    const lines = ['# comment', '*/temp*', '*/*/temp*', 'temp?'];
    assert.deepEqual(
      kept(lines, [
        'somedir/temporary.txt',
        'somedir/temp',
        'somedir/subdir/temporary.txt',
        'tempa',
        'tempb',
        'temp',
        'temporary.txt',
        'a/b/c/temp.txt',
      ]),
      ['temp', 'temporary.txt', 'a/b/c/temp.txt'],
    );
  });

  it('** matches any number of directories', () => {
    assert.deepEqual(kept(['**/*.go'], ['a.go', 'x/y/z.go', 'x/y/z.js']), ['x/y/z.js']);
  });

  it('! exceptions: the last matching line wins', () => {
    // docker docs: all markdown files except README files other than README-secret.md
    assert.deepEqual(
      kept(
        ['*.md', '!README*.md', 'README-secret.md'],
        ['a.md', 'README.md', 'README-x.md', 'README-secret.md'],
      ),
      ['README.md', 'README-x.md'],
    );
    // docker docs: the same lines in another order keep every README
    assert.deepEqual(
      kept(['*.md', 'README-secret.md', '!README*.md'], ['a.md', 'README.md', 'README-secret.md']),
      ['README.md', 'README-secret.md'],
    );
  });

  it('a pattern matching a directory leaves out everything below it; leading / and ./ are the root', () => {
    assert.deepEqual(
      kept(['/node_modules', './dist'], ['node_modules/x/index.js', 'dist/a.js', 'src/dist/a.js']),
      ['src/dist/a.js'],
    );
  });

  it("distill-out (distill's default output) is always left out", () => {
    assert.deepEqual(kept([], ['distill-out/app/index.json', 'src/a.js']), ['src/a.js']);
  });

  it('.distillignore applies after .dockerignore, so it can bring files back', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'distill-ignore-'));
    try {
      await writeFile(join(dir, '.dockerignore'), 'docs\n*.log\n');
      await writeFile(join(dir, '.distillignore'), '!docs/api.md\nsecret.txt\n');
      await mkdir(join(dir, 'docs'));
      for (const f of ['docs/api.md', 'docs/notes.md', 'a.log', 'secret.txt', 'server.js'])
        await writeFile(join(dir, f), 'x');
      const rules = await loadIgnoreRules(dir);
      assert.equal(rules.hasExceptions, true);
      const t = await treeEntries({
        root: dir,
        dest: '/app',
        skip: rules.ignored,
        descend: rules.hasExceptions,
        user: { uid: 65532, gid: 65532 },
        hashes: contentHashes(),
      });
      assert.deepEqual(
        t.entries.map((e) => e.path),
        ['app', 'app/.distillignore', 'app/.dockerignore', 'app/docs', 'app/docs/api.md', 'app/server.js'],
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
