import { suite } from 'uvu';
import * as assert from 'uvu/assert';

import { InputError } from '../../src/errors.js';
import { lastFlagValues, parseFlags } from '../../src/cluster/flags.js';
import { thrown } from './helpers.js';

const syntax = { booleans: new Set(['client-cert-auth', 'debug']), source: 'etcd unit /x' };

const parseFlagsSuite = suite('parseFlags reads flags as Go programs do');

const cases: Array<[string, string[], Array<[string, string]>]> = [
  ['reads --flag value and --flag=value', ['--name', 'a', '--data-dir=b'], [['name', 'a'], ['data-dir', 'b']]],
  ['reads single-dash flags', ['-name', 'a', '-data-dir=b'], [['name', 'a'], ['data-dir', 'b']]],
  [
    'does not let a boolean flag take the next argument',
    ['--client-cert-auth', '--trusted-ca-file=x', '-debug'],
    [['client-cert-auth', 'true'], ['trusted-ca-file', 'x'], ['debug', 'true']],
  ],
  [
    'normalises the boolean spellings Go accepts',
    ['--client-cert-auth=1', '--debug=False'],
    [['client-cert-auth', 'true'], ['debug', 'false']],
  ],
  ['keeps "=" inside a value', ['--initial-cluster=a=https://1:2380,b=https://2:2380'], [['initial-cluster', 'a=https://1:2380,b=https://2:2380']]],
  ['keeps an empty inline value', ['--log-outputs='], [['log-outputs', '']]],
  ['reads an unknown flag before another flag as boolean', ['--new-switch', '--name', 'a'], [['new-switch', 'true'], ['name', 'a']]],
  ['lets a flag take a negative number', ['--offset', '-1'], [['offset', '-1']]],
  ['stops at "--"', ['--name', 'a', '--'], [['name', 'a']]],
];

for (const [name, args, expected] of cases) {
  parseFlagsSuite(name, () => {
    assert.equal(
      parseFlags(args, syntax).map(({ name: flag, value }) => [flag, value]),
      expected,
    );
  });
}

const errors: Array<[string, string[], RegExp]> = [
  ['refuses a stray argument', ['--name', 'a', 'stray'], /unexpected argument "stray" among the flags in etcd unit \/x/],
  ['refuses a boolean flag followed by a value', ['--client-cert-auth', 'true'], /unexpected argument "true"/],
  ['refuses arguments after "--"', ['--', 'x'], /unexpected argument "x"/],
  ['refuses three dashes', ['---name=a'], /unexpected argument "---name=a"/],
  ['refuses a bad boolean', ['--client-cert-auth=yes'], /--client-cert-auth in etcd unit \/x is "yes", not a boolean/],
  ['refuses a flag without its value at the end', ['--name'], /flag --name in etcd unit \/x has no value/],
];

for (const [name, args, pattern] of errors) {
  parseFlagsSuite(name, () => {
    const error = thrown(() => parseFlags(args, syntax));
    assert.instance(error, InputError);
    assert.match(error.message, pattern);
  });
}

parseFlagsSuite.run();

const lastSuite = suite('lastFlagValues keeps the last occurrence of each flag');

lastSuite('lets a later flag win', () => {
  const flags = [
    { name: 'name', value: 'a' },
    { name: 'debug', value: 'true' },
    { name: 'name', value: 'b' },
  ];
  assert.equal(lastFlagValues(flags), { name: 'b', debug: 'true' });
});

lastSuite.run();
