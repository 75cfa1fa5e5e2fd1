import assert from 'node:assert/strict';
import { test } from 'node:test';
import { report } from '../cli/main.ts';
import { httpError, printable } from './http-error.ts';

const ESC = '\u001b';

test('registry error text reaches the terminal without escape sequences or control characters, and cut short', () => {
  const body = `${ESC}[2J${ESC}]0;owned\u0007<h1>Bad\r\nGateway</h1>\u0000${'x'.repeat(500)}`;
  const e = httpError('GET blob', 502, body);
  assert.ok(![...e.message].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f), e.message);
  assert.match(e.message, /HTTP 502 \(<h1>Bad Gateway<\/h1>x+…\)/);
  assert.ok(e.message.length < 400);
  const json = '{"errors":[{"code":"DENIED","message":"no \\u001b[31mred\\u001b[0m here"}]}';
  assert.match(httpError('PUT', 403, json).message, /DENIED: no red here/);
  assert.equal(printable(`a\tb${ESC}[1mc`), 'a bc');
});

test('the CLI error boundary drops control characters from any message but keeps its lines', () => {
  const writes: string[] = [];
  const orig = process.stderr.write.bind(process.stderr);
  process.stderr.write = ((s: string) => {
    writes.push(s);
    return true;
  }) as typeof process.stderr.write;
  try {
    const err = Object.assign(new Error(`line one ${ESC}[2Jcleared\nline two\u0007`), { code: 'X_TEST' });
    assert.equal(report(err), 1);
  } finally {
    process.stderr.write = orig;
  }
  assert.equal(writes.join(''), 'distill: error X_TEST: line one cleared\nline two\n');
});
