import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sarifErrors } from '../../test/helpers/sarif-schema.ts';
import { auditTestImage } from './audit-testing.ts';
import { auditImage, auditSarif, RULES } from './index.ts';

test('SARIF 2.1.0: valid against the official schema, one rule per id, expected findings suppressed', async () => {
  const full = await auditTestImage(
    [
      {
        'usr/bin/bash': { content: 'x', mode: 0o755 },
        'usr/bin/su': { content: 'x', mode: 0o4755 },
        'root/.git-credentials': 'https://u:p@h\n',
        'etc/x.conf': { content: 'x', mode: 0o666 },
      },
      { 'usr/bin/su': 'replaced' },
    ],
    { Env: ['GITHUB_TOKEN=ghp_0123456789abcdefghijklmnopqrstuvwxyzAB'] },
  );
  const debug = await auditTestImage(
    [{ 'busybox/busybox': { content: 'BB', mode: 0o755 }, 'busybox/sh': { link: '/busybox/busybox' } }],
    { User: '65532', Entrypoint: ['/busybox/sh'] },
  );
  const reports = [
    await auditImage(full, { reference: 'oci:full' }),
    await auditImage(debug, { reference: 'oci:debug' }),
  ];
  const doc = auditSarif(reports, { name: 'distill', version: '0.0.0-test' }) as {
    runs: {
      tool: { driver: { rules: { id: string }[] } };
      results: { ruleId: string; ruleIndex: number; level: string; suppressions?: unknown[] }[];
    }[];
  };
  assert.deepEqual(sarifErrors(doc), []);
  const run = doc.runs[0];
  const ids = run?.tool.driver.rules.map((r) => r.id) ?? [];
  assert.deepEqual(ids, [...new Set(reports.flatMap((r) => r.findings.map((f) => f.id)))].sort());
  for (const id of ids) assert.ok(RULES[id], `${id} has a rule text`);
  for (const r of run?.results ?? []) assert.equal(ids[r.ruleIndex], r.ruleId);
  assert.deepEqual(
    run?.results.filter((r) => r.suppressions).map((r) => r.ruleId),
    ['DL-SHELL'],
  );
  assert.equal(run?.results.find((r) => r.ruleId === 'DL-SECRET-ENV')?.level, 'error');
  assert.ok(!JSON.stringify(doc).includes('ghp_0123'), 'no secret value in the log');
  assert.notDeepEqual(
    sarifErrors({ ...doc, runs: [{ results: [] }] }),
    [],
    'the validator rejects a run without a tool',
  );
});
