import { suite } from 'uvu';
import * as assert from 'uvu/assert';

import {
  parseEnvironmentAssignments,
  parseEnvironmentFile,
} from '../../src/cluster/environment-file.js';

const fileSuite = suite('parseEnvironmentFile reads EnvironmentFile= text as systemd does');

const cases: Array<[string, string, Record<string, string>]> = [
  ['reads bare values and trims trailing whitespace', 'A=1\nB = two words  \n', { A: '1', B: 'two words' }],
  ['skips # and ; comment lines', '# A=1\n  ; B=2\nC=3\n', { C: '3' }],
  ['keeps single-quoted text literally', "A='x \\n $y'\n", { A: 'x \\n $y' }],
  ['decodes escapes in double quotes', 'A="a \\"b\\" \\\\ \\$c \\q"\n', { A: 'a "b" \\ $c \\q' }],
  ['continues a value after a backslash-newline', 'A=one\\\ntwo\nB="x\\\ny"\n', { A: 'onetwo', B: 'xy' }],
  ['keeps the last assignment of a name', 'A=1\nA=2', { A: '2' }],
  ['skips lines without a valid name', 'export A=1\n1B=2\n=3\nC\nD=4\n', { D: '4' }],
  ['reads an empty value', 'A=\nB=""\n', { A: '', B: '' }],
  ['reads CRLF files', 'A=1\r\nB=2\r\n', { A: '1', B: '2' }],
];

fileSuite('keeps a variable named __proto__ as an ordinary variable', () => {
  const variables = parseEnvironmentFile('__proto__=x\n');
  assert.ok(Object.hasOwn(variables, '__proto__'));
  assert.is(Object.getPrototypeOf(variables), Object.prototype);
});

for (const [name, text, expected] of cases) {
  fileSuite(name, () => {
    assert.equal(parseEnvironmentFile(text), expected);
  });
}

fileSuite.run();

const assignmentsSuite = suite('parseEnvironmentAssignments reads Environment= values');

assignmentsSuite('reads quoted and bare assignments and skips invalid words', () => {
  assert.equal(parseEnvironmentAssignments('"A=b c" D=e junk 9X=1 F='), {
    A: 'b c',
    D: 'e',
    F: '',
  });
});

assignmentsSuite.run();
