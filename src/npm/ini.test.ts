// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these tests are about literal ${VAR} text in .npmrc files
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { expandEnv, parseIni } from './ini.ts';

describe('parseIni (npm .npmrc syntax)', () => {
  it('reads keys, comments, booleans, quotes, arrays and escapes as npm does', () => {
    const got = parseIni(
      [
        '; comment',
        '# comment',
        '',
        'registry = http://127.0.0.1:1/r/ ; trailing comment',
        'flag',
        'off=false',
        'nothing=null',
        'quoted="a;b#c"',
        "single='x y'",
        'list[]=1',
        'list[]=2',
        'esc=a\\;b\\#c\\\\d\\e',
        '//127.0.0.1:1/r/:_authToken=${TOKEN}',
        '=novalue',
        '__proto__=polluted',
        '[scope]',
        'inside=ignored',
      ].join('\r\n'),
    );
    assert.deepEqual(
      { ...got },
      {
        registry: 'http://127.0.0.1:1/r/',
        flag: true,
        off: false,
        nothing: null,
        quoted: 'a;b#c',
        single: 'x y',
        list: ['1', '2'],
        esc: 'a;b#c\\d\\e',
        '//127.0.0.1:1/r/:_authToken': '${TOKEN}',
      },
    );
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });
});

describe('expandEnv', () => {
  const env = { A: 'alpha', EMPTY: '' };
  it('replaces set variables and keeps unset ones literally', () => {
    assert.equal(expandEnv('x${A}y', env), 'xalphay');
    assert.equal(expandEnv('${NOPE}', env), '${NOPE}');
    assert.equal(expandEnv('${EMPTY}', env), '');
  });
  it('`${NAME?}` is empty when unset', () => {
    assert.equal(expandEnv('[${NOPE?}]', env), '[]');
    assert.equal(expandEnv('[${A?}]', env), '[alpha]');
  });
  it('an odd number of backslashes escapes, an even number is halved', () => {
    assert.equal(expandEnv('\\${A}', env), '${A}');
    assert.equal(expandEnv('\\\\${A}', env), '\\alpha');
  });
});
