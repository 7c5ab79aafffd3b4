import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { formatEvent } from '../../src/rotation/events.js';

test('formatEvent puts the elapsed time, phase and master on every line', () => {
  assert.is(
    formatEvent({ kind: 'step', phase: 'trust-both', host: '10.0.0.2-name-2', message: 'etcd restarted' }, 3210),
    '[   3.2s] [trust-both] [10.0.0.2-name-2] etcd restarted',
  );
  assert.is(formatEvent({ kind: 'phase', index: 2, total: 7, name: 'trust-both', title: 'etcd trusts both' }, 0), '[   0.0s] [trust-both] phase 2/7: etcd trusts both');
  assert.is(formatEvent({ kind: 'warn', host: 'm1', message: 'no snapshot' }, 100), '[   0.1s] [m1] WARNING: no snapshot');
});

test.run();
