import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { envFindings, resolveUser } from './index.ts';

describe('the default user', () => {
  const files = (passwd?: string) => ({
    files: new Map(),
    contents: new Map(passwd ? [['/etc/passwd', Buffer.from(passwd)]] : []),
    hidden: [],
    layers: [],
  });
  test('unset, 0, 0:0 and root are root; nonroot is 65532 without a passwd; unknown names are reported', () => {
    assert.equal(resolveUser(undefined, files()).user.how, 'unset');
    assert.equal(resolveUser('', files()).user.root, true);
    assert.equal(resolveUser('0', files()).user.root, true);
    assert.equal(resolveUser('0:0', files()).user.root, true);
    assert.equal(resolveUser('root', files()).user.root, true);
    assert.deepEqual(resolveUser('nonroot', files()).user, {
      raw: 'nonroot',
      uid: 65532,
      root: false,
      how: 'builtin',
    });
    assert.deepEqual(resolveUser('65532:65532', files()).user, {
      raw: '65532:65532',
      uid: 65532,
      root: false,
      how: 'numeric',
    });
    assert.equal(resolveUser('toor', files('toor:x:0:0::/:/bin/sh\n')).user.root, true);
    assert.deepEqual(resolveUser('ghost', files()).user, { raw: 'ghost', root: false, how: 'unknown' });
  });
  test('a name listed twice is the first line, as runc resolves it (here: root)', () => {
    const twice = files('app:x:0:0::/:/bin/sh\napp:x:1000:1000::/home/app:/sbin/nologin\n');
    assert.deepEqual(resolveUser('app', twice).user, { raw: 'app', uid: 0, root: true, how: 'passwd' });
  });
});

test('ENV: GPG_KEY, *_FILE and empty values are not secrets', () => {
  assert.deepEqual(envFindings(['GPG_KEY=ABCD', 'PASSWORD_FILE=/run/secrets/p', 'TOKEN=', 'PATH=/bin']), []);
  assert.equal(envFindings([`X=${'ghp_'}${'a'.repeat(36)}`])[0]?.severity, 'critical');
});
