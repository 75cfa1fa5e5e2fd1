import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { NODE_MAJORS, nodeMajorStatus } from './node-majors.ts';

describe('Node.js majors', () => {
  it('has images for 20, 22, 24 and 26, with the release schedule dates', () => {
    assert.deepEqual(
      NODE_MAJORS.map((m) => [m.image, m.end]),
      [
        ['nodejs20', '2026-04-30'],
        ['nodejs22', '2027-04-30'],
        ['nodejs24', '2028-04-30'],
        ['nodejs26', '2029-04-30'],
      ],
    );
  });
  it('phases follow the schedule', () => {
    const day = '2026-11-27';
    assert.deepEqual(
      NODE_MAJORS.map((m) => nodeMajorStatus(m.major, day).phase),
      ['eol', 'maintenance', 'maintenance', 'active-lts'],
    );
    assert.equal(nodeMajorStatus(26, '2026-06-01').phase, 'current');
    assert.equal(
      nodeMajorStatus(20, '2026-04-30').phase,
      'maintenance',
      'the end day itself is still supported',
    );
    assert.equal(nodeMajorStatus(22, '2027-05-01').phase, 'eol');
    assert.match(nodeMajorStatus(22, '2027-05-01').warning ?? '', /move to nodejs24, nodejs26$/);
  });
});
