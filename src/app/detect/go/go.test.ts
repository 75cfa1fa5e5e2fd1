import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { detectContext, project } from '../native/native-testing.ts';
import { goDetector } from './go.ts';

// A static binary to stand in for go's output: busybox-static's, else the static fixture ELF.
const STATIC = '/bin/busybox';

/** A directory holding a fake `go` that records its environment and arguments, then writes a static binary. */
async function fakeGo(exitCode = 0) {
  const bin = await project({
    'go@755': `#!/bin/sh
env | grep -E '^(CGO_ENABLED|GOOS|GOARCH)=' | sort > "$(dirname "$0")/env.txt"
echo "$@" > "$(dirname "$0")/args.txt"
[ ${exitCode} -eq 0 ] || { echo "main.go:3:1: syntax error" >&2; exit ${exitCode}; }
while [ $# -gt 0 ]; do [ "$1" = -o ] && { cp ${STATIC} "$2"; exit 0; }; shift; done
exit 3
`,
  });
  return bin;
}

test('go.mod without go on PATH is APP_GO_MISSING', async () => {
  const dir = await project({
    'go.mod': 'module example.com/hello\n\ngo 1.22\n',
    'main.go': 'package main\n',
  });
  await assert.rejects(goDetector.detect(dir, {}, detectContext({ env: { PATH: '/nonexistent' } })), {
    code: 'APP_GO_MISSING',
    message: /no go on PATH/,
  });
});

test('a ko-style build: CGO_ENABLED=0 GOOS=linux GOARCH=<arch> -trimpath; static binary on the static base', async (t) => {
  if (!existsSync(STATIC)) {
    if (process.env.CI === 'true') assert.fail('busybox-static is missing');
    t.skip('no static busybox (package busybox-static)');
    return;
  }
  const bin = await fakeGo();
  const dir = await project({ 'go.mod': 'module example.com/cmd/hello\n', 'main.go': 'package main\n' });
  const plan = await goDetector.detect(dir, {}, detectContext({ env: { PATH: `${bin}:/usr/bin:/bin` } }));
  assert.ok(plan);
  assert.equal(
    (await readFile(join(bin, 'env.txt'), 'utf8')).trim(),
    'CGO_ENABLED=0\nGOARCH=amd64\nGOOS=linux',
  );
  assert.match(await readFile(join(bin, 'args.txt'), 'utf8'), /^build -trimpath -o \S+\/hello \.$/m);
  assert.equal(plan.base, 'static');
  assert.deepEqual(plan.entrypoint, ['/app/hello']);
  assert.equal(plan.elfFiles.length, 1);
  const file = (await plan.layers[0]?.entries())?.find((e) => e.path === 'app/hello');
  assert.deepEqual([file?.mode, file?.uid, file?.size], [0o555, 0, (await readFile(STATIC)).length]);
  assert.match(plan.reasons.join('\n'), /Go module example\.com\/cmd\/hello.*as ko does.*statically linked/s);
});

test('go build failing is APP_GO_BUILD_FAILED with its message', async () => {
  const bin = await fakeGo(1);
  const dir = await project({ 'go.mod': 'module hello\n' });
  await assert.rejects(goDetector.detect(dir, {}, detectContext({ env: { PATH: `${bin}:/usr/bin:/bin` } })), {
    code: 'APP_GO_BUILD_FAILED',
    message: /syntax error/,
  });
});

test('no go.mod: not a Go project', async () => {
  assert.equal(await goDetector.detect(await project({ 'main.go': '' }), {}, detectContext()), undefined);
});
