import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { capabilityNames, permittedCapabilities } from './capabilities.ts';

describe('capabilityNames', () => {
  it('reads /proc/PID/status masks', () => {
    assert.deepEqual(capabilityNames('0000000000000000'), []);
    // umoci's default set: AUDIT_WRITE, KILL, NET_BIND_SERVICE.
    assert.deepEqual(capabilityNames('0000000020000420'), [
      'CAP_KILL',
      'CAP_NET_BIND_SERVICE',
      'CAP_AUDIT_WRITE',
    ]);
    assert.deepEqual(capabilityNames('0000000000080024'), [
      'CAP_DAC_READ_SEARCH',
      'CAP_KILL',
      'CAP_SYS_PTRACE',
    ]);
    assert.equal(capabilityNames('000001ffffffffff').length, 41);
  });
  it('a process that is gone has none', () => {
    assert.deepEqual(permittedCapabilities(2 ** 22 + 1), []);
  });
});
