import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import type { SpawnFn } from '../../../platform/spawn.ts';
import { detectContext, project } from '../native/native-testing.ts';
import { pythonDetector, pythonDetectorWith } from './python.ts';

const VENV = '.venv/lib/python3.11/site-packages';

test("venv dependencies go in their own layer on Debian's sys.path; the app layer leaves the venv out", async () => {
  const dir = await project({
    'app.py': 'print(1)\n',
    'requirements.txt': 'greeting\n',
    [`${VENV}/greeting/__init__.py`]: 'x = 1\n',
    [`${VENV}/greeting-0.1.0.dist-info/METADATA`]: 'Name: greeting\n',
    [`${VENV}/greeting-0.1.0.dist-info/direct_url.json`]: '{"url": "file:///home/me/greeting"}',
    [`${VENV}/greeting/__pycache__/__init__.cpython-311.pyc`]: 'pyc',
    [`${VENV}/pip/__init__.py`]: '',
    [`${VENV}/distutils-precedence.pth`]: '',
    '__pycache__/app.cpython-311.pyc': 'pyc',
  });
  const plan = await pythonDetector.detect(dir, {}, detectContext());
  assert.ok(plan);
  assert.equal(plan.base, 'python3');
  assert.deepEqual(plan.entrypoint, ['/usr/bin/python3.13']);
  assert.deepEqual(plan.cmd, ['/app/app.py']);
  assert.deepEqual(plan.runtime, { kind: 'python', version: '3.13', from: 'the python3 base of debian13' });
  assert.match(
    plan.reasons.join('\n'),
    /main script app\.py \(the first of main\.py, app\.py, __main__\.py present\)/,
  );
  assert.match(plan.reasons.join('\n'), /virtual environment \.venv\/lib\/python3\.11\/site-packages/);
  assert.match(plan.warnings?.join('\n') ?? '', /installed for Python 3\.11, the image runs 3\.13/);
  assert.deepEqual(
    plan.layers.map((l) => l.name),
    ['deps', 'app'],
  );
  const deps = (await plan.layers[0]?.entries())?.filter((e) => e.type === 'file').map((e) => e.path);
  assert.deepEqual(deps, [
    'usr/local/lib/python3.13/dist-packages/greeting/__init__.py',
    'usr/local/lib/python3.13/dist-packages/greeting-0.1.0.dist-info/METADATA',
  ]);
  const app = (await plan.layers[1]?.entries())?.filter((e) => e.type === 'file').map((e) => e.path);
  assert.deepEqual(app, ['app/app.py', 'app/requirements.txt']);
});

test('--site-packages DIR, Debian 12 (Python 3.11), main: from the config', async () => {
  const dir = await project({ 'srv/run.py': '', 'deps/six.py': '' });
  const plan = await pythonDetector.detect(
    dir,
    { kind: 'python', main: 'srv/run.py', sitePackages: 'deps', debian: 12 },
    detectContext(),
  );
  assert.deepEqual([plan?.entrypoint, plan?.cmd], [['/usr/bin/python3.11'], ['/app/srv/run.py']]);
  const deps = (await plan?.layers[0]?.entries())?.filter((e) => e.type === 'file').map((e) => e.path);
  assert.deepEqual(deps, ['usr/local/lib/python3.11/dist-packages/six.py']);
  const app = (await plan?.layers[1]?.entries())?.filter((e) => e.type === 'file').map((e) => e.path);
  assert.deepEqual(app, ['app/srv/run.py'], 'the in-project site-packages is not copied twice');
});

test('no Python markers: not a Python project; markers but no main script: APP_PYTHON_ENTRY_NOT_FOUND', async () => {
  assert.equal(await pythonDetector.detect(await project({ 'x.txt': '' }), {}, detectContext()), undefined);
  await assert.rejects(
    pythonDetector.detect(await project({ 'pyproject.toml': '[project]\nname="x"\n' }), {}, detectContext()),
    {
      code: 'APP_PYTHON_ENTRY_NOT_FOUND',
    },
  );
});

test('requirements without a site-packages: the host pip installs them for the image Python and platform', async () => {
  const calls: string[][] = [];
  const fakePip: SpawnFn = (_cmd, args, opts = {}) => {
    calls.push([...args]);
    const target = args[args.indexOf('--target') + 1] as string;
    return spawn('sh', ['-c', 'mkdir -p "$0/flask" && echo x > "$0/flask/__init__.py"', target], opts);
  };
  const dir = await project({
    'main.py': '',
    'pyproject.toml':
      '[project]\nname = "x"\ndependencies = [\n  "flask>=3",\n  \'gunicorn\',\n]\n\n[tool.x]\ndependencies = ["no"]\n',
  });
  const plan = await pythonDetectorWith({ spawn: fakePip }).detect(dir, {}, detectContext());
  const args = calls[0] ?? [];
  assert.deepEqual(args.slice(args.indexOf('--python-version'), args.indexOf('--python-version') + 4), [
    '--python-version',
    '3.13',
    '--platform',
    'manylinux2014_x86_64',
  ]);
  assert.deepEqual(args.slice(-2), ['flask>=3', 'gunicorn']);
  assert.ok(args.includes('--only-binary=:all:'));
  const deps = (await plan?.layers[0]?.entries())?.filter((e) => e.type === 'file').map((e) => e.path);
  assert.deepEqual(deps, ['usr/local/lib/python3.13/dist-packages/flask/__init__.py']);
});

test('pip failing (no index reachable) is APP_PYTHON_DEPS_UNAVAILABLE saying what to do', async () => {
  const failing: SpawnFn = (_c, _a, opts = {}) =>
    spawn(
      'sh',
      ['-c', 'echo "ERROR: Could not find a version that satisfies the requirement flask" >&2; exit 1'],
      opts,
    );
  const dir = await project({ 'main.py': '', 'requirements.txt': '# deps\nflask  # web\n' });
  await assert.rejects(
    pythonDetectorWith({ spawn: failing }).detect(dir, {}, detectContext()),
    (err: Error & { code?: string }) => {
      assert.equal(err.code, 'APP_PYTHON_DEPS_UNAVAILABLE');
      assert.match(err.message, /index reachable.*Could not find a version.*\.venv.*--site-packages/s);
      return true;
    },
  );
  const noPython: SpawnFn = (_c, a, opts = {}) => spawn('/nonexistent/python3', a, opts);
  await assert.rejects(pythonDetectorWith({ spawn: noPython }).detect(dir, {}, detectContext()), {
    code: 'APP_PYTHON_DEPS_UNAVAILABLE',
    message: /pip is not available/,
  });
});
