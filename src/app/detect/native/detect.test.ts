import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EM_X86_64 } from '../../../elf/machine.ts';
import { buildElf } from '../../../elf/testing/build-elf.ts';
import { nativeDetector } from './detect.ts';
import { detectContext, project } from './native-testing.ts';

const LD = '/lib64/ld-linux-x86-64.so.2';
const dyn = (needed: string[]) => buildElf({ bits: 64, machine: EM_X86_64, type: 2, interp: LD, needed });
const stat = buildElf({ bits: 64, machine: EM_X86_64, type: 2, noDynamic: true });

test('a static binary → static base, entrypoint /app/<name>, every ELF listed for the checks', async () => {
  const dir = await project({
    'server@755': stat,
    'lib/helper.so': buildElf({ bits: 64, machine: EM_X86_64, soname: 'helper.so', needed: [] }),
    README: 'x',
  });
  const plan = await nativeDetector.detect(dir, {}, detectContext());
  assert.ok(plan);
  assert.equal(plan.base, 'static');
  assert.deepEqual(plan.entrypoint, ['/app/server']);
  assert.match(plan.reasons.join('\n'), /native binary: server .*statically linked/s);
  assert.deepEqual(plan.elfFiles.map((f) => f.path).sort(), ['/app/lib/helper.so', '/app/server']);
  const entries = await plan.layers[0]?.entries();
  const server = entries?.find((e) => e.path === 'app/server');
  assert.deepEqual([server?.mode, server?.uid], [0o755, 0], 'root-owned, not writable by the runtime user');
});

test('dynamic: base, or cc when it needs libstdc++', async () => {
  const c = await nativeDetector.detect(
    await project({ 'app@755': dyn(['libc.so.6']) }),
    {},
    detectContext(),
  );
  assert.equal(c?.base, 'base');
  const cpp = await nativeDetector.detect(
    await project({ 'app@755': dyn(['libstdc++.so.6', 'libc.so.6']) }),
    {},
    detectContext(),
  );
  assert.equal(cpp?.base, 'cc');
  assert.match(cpp?.reasons.join('\n') ?? '', /libstdc\+\+\.so\.6 \(DT_NEEDED\): base image cc/);
});

test('not executable, not ELF, or ignored: not a native project; main: picks among several', async () => {
  assert.equal(
    await nativeDetector.detect(
      await project({ server: stat, 'x.sh@755': '#!/bin/sh\n' }),
      {},
      detectContext(),
    ),
    undefined,
  );
  assert.equal(
    await nativeDetector.detect(
      await project({ 'server@755': stat }),
      {},
      detectContext({ ignored: (r) => r === 'server' }),
    ),
    undefined,
  );
  const two = await project({ 'a@755': stat, 'b@755': dyn(['libc.so.6']) });
  const picked = await nativeDetector.detect(two, { main: 'b' }, detectContext());
  assert.deepEqual(picked?.entrypoint, ['/app/b']);
  const auto = await nativeDetector.detect(two, {}, detectContext());
  assert.match(auto?.reasons.join('\n') ?? '', /several ELF executables \(a, b\): took a/);
});

test('main: naming a file that is not ELF is APP_PATH_INVALID', async () => {
  await assert.rejects(
    nativeDetector.detect(await project({ x: 'text' }), { kind: 'native', main: 'x' }, detectContext()),
    {
      code: 'APP_PATH_INVALID',
    },
  );
});
