import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { resolveUser } from './user.ts';

const PASSWD =
  'root:x:0:0:root:/root:/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\nbad line\n';
const GROUP = 'root:x:0:\nnonroot:x:65532:\ntty:x:5:\n';

describe('resolveUser (Config.User as the engine reads it)', () => {
  it('empty is root; numeric uids need no passwd entry (gid from it, else 0)', () => {
    assert.deepEqual(resolveUser('', PASSWD), { uid: 0, gid: 0 });
    assert.deepEqual(resolveUser('65532', PASSWD), { uid: 65532, gid: 65532 });
    assert.deepEqual(resolveUser('1234'), { uid: 1234, gid: 0 });
    assert.deepEqual(resolveUser('1234:99'), { uid: 1234, gid: 99 });
  });
  it('names from /etc/passwd and /etc/group', () => {
    assert.deepEqual(resolveUser('nonroot', PASSWD, GROUP), { uid: 65532, gid: 65532 });
    assert.deepEqual(resolveUser('nobody:tty', PASSWD, GROUP), { uid: 65534, gid: 5 });
    assert.deepEqual(resolveUser('65532:nonroot', PASSWD, GROUP), { uid: 65532, gid: 65532 });
  });
  it('DEBUG_USER_UNKNOWN for a name the files lack (or no passwd at all)', () => {
    assert.throws(() => resolveUser('app', PASSWD, GROUP), { code: 'DEBUG_USER_UNKNOWN', message: /"app"/ });
    assert.throws(() => resolveUser('nonroot'), { code: 'DEBUG_USER_UNKNOWN' });
    assert.throws(() => resolveUser('nonroot:staff', PASSWD, GROUP), {
      code: 'DEBUG_USER_UNKNOWN',
      message: /group "staff"/,
    });
  });
});
