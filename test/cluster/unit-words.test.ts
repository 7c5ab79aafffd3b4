import { suite } from 'uvu';
import * as assert from 'uvu/assert';

import { splitUnitWords, UnitSyntaxError } from '../../src/cluster/unit-words.js';

const splitUnitWordsSuite = suite('splitUnitWords splits values as systemd does');

const cases: Array<[string, string, string[]]> = [
  ['splits at any whitespace', ' a  b\tc ', ['a', 'b', 'c']],
  ['groups double-quoted text', '"a b" c', ['a b', 'c']],
  ['groups single-quoted text', "'a b' c", ['a b', 'c']],
  ['allows quotes inside a word', '--name="a b" -x=\'c d\'', ['--name=a b', '-x=c d']],
  ['keeps an empty quoted word', 'a "" b', ['a', '', 'b']],
  ['decodes C escapes', 'a\\tb \\x41\\101 \\u00e9 c\\sd', ['a\tb', 'AA', 'é', 'c d']],
  ['decodes escaped quotes and backslashes', '"a\\"b" \\\\', ['a"b', '\\']],
  ['keeps an unknown escape as written', 'a\\qb', ['a\\qb']],
  ['returns no words for an empty value', '', []],
];

for (const [name, value, expected] of cases) {
  splitUnitWordsSuite(name, () => {
    assert.equal(splitUnitWords(value), expected);
  });
}

splitUnitWordsSuite('refuses an unterminated quote', () => {
  assert.throws(() => splitUnitWords('/usr/bin/etcd "--name a'), (error: unknown) => {
    return error instanceof UnitSyntaxError && /unterminated " quote/.test(error.message);
  });
});

splitUnitWordsSuite.run();
