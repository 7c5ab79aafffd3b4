import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { UsageError } from '../../src/errors.js';
import { CLOCK_SKEW_MS, DEFAULT_VALIDITY, parseValidity } from '../../src/pki/index.js';
import { validityWindow } from '../../src/pki/validity.js';

const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;

const accepted: [string, number][] = [
  ['50y', 50 * 365 * DAY],
  ['1y', 365 * DAY],
  ['3650d', 3650 * DAY],
  ['438000h', 438000 * HOUR],
  ['1h', HOUR],
  [' 10y ', 10 * 365 * DAY],
];

for (const [text, ms] of accepted) {
  test(`parseValidity reads "${text}" as ${ms / HOUR} hours`, () => {
    assert.is(parseValidity(text), ms);
  });
}

test("parseValidity counts 50y as the installer's 438000h", () => {
  assert.is(parseValidity(DEFAULT_VALIDITY), parseValidity('438000h'));
});

const refused = [
  '',
  '50',
  'y',
  '0y',
  '-1y',
  '1.5y',
  '10m',
  '10w',
  '5Y',
  '50 y',
  '1e3d',
  'fifty years',
  '10000y',
];

for (const text of refused) {
  test(`parseValidity refuses "${text}" with a UsageError listing the accepted forms`, () => {
    try {
      parseValidity(text);
      assert.unreachable('should have thrown');
    } catch (error) {
      assert.instance(error, UsageError);
      assert.match((error as Error).message, `"${text}"`);
      assert.match((error as Error).message, text === '10000y' ? /9999/ : /50y, 3650d or 438000h/);
    }
  });
}

test('validityWindow starts a few minutes in the past and lasts exactly the validity', () => {
  const now = new Date('2026-03-01T12:00:00.750Z');
  const { notBefore, notAfter } = validityWindow(parseValidity('50y'), now);
  assert.is(notBefore.toISOString(), new Date(now.getTime() - CLOCK_SKEW_MS - 750).toISOString());
  assert.is(notAfter.getTime() - notBefore.getTime(), 438000 * HOUR);
});

test('validityWindow refuses a non-positive validity as a programming error', () => {
  assert.throws(() => validityWindow(0), RangeError);
});

test.run();
