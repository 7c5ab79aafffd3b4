import { suite } from 'uvu';
import * as assert from 'uvu/assert';

import { parseUnitFile } from '../../src/cluster/unit-syntax.js';

const parseUnitFileSuite = suite('parseUnitFile reads assignments as systemd does');

const cases: Array<{ name: string; text: string; expected: Array<[string, string, string, number]> }> = [
  {
    name: 'keeps the section and line of each assignment',
    text: '[Unit]\nDescription=etcd\n\n[Service]\nUser=etcd\n',
    expected: [
      ['Unit', 'Description', 'etcd', 2],
      ['Service', 'User', 'etcd', 5],
    ],
  },
  {
    name: 'joins backslash continuations with a space',
    text: '[Service]\nExecStart=/usr/bin/etcd \\\n    --name a \\\n    --data-dir=x\n',
    expected: [['Service', 'ExecStart', '/usr/bin/etcd      --name a      --data-dir=x', 2]],
  },
  {
    name: 'skips comment lines inside a continuation',
    text: '[Service]\nExecStart=/usr/bin/etcd \\\n# a comment\n; another\n  --name a\n',
    expected: [['Service', 'ExecStart', '/usr/bin/etcd    --name a', 2]],
  },
  {
    name: 'ignores commented-out settings such as #Type=notify',
    text: '[Service]\n#Type=notify\n  ;User=root\nUser=etcd\n',
    expected: [['Service', 'User', 'etcd', 4]],
  },
  {
    name: 'treats an even number of trailing backslashes as no continuation',
    text: '[Service]\nExecStart=/bin/x a\\\\\nUser=etcd\n',
    expected: [
      ['Service', 'ExecStart', '/bin/x a\\\\', 2],
      ['Service', 'User', 'etcd', 3],
    ],
  },
  {
    name: 'ignores whitespace around "=" and keeps empty values',
    text: '[Service]\nExecStart =\nEnvironment = A=1\n',
    expected: [
      ['Service', 'ExecStart', '', 2],
      ['Service', 'Environment', 'A=1', 3],
    ],
  },
  {
    name: 'ignores assignments before any section and lines without "="',
    text: 'User=root\n[Service]\nnot an assignment\nUser=etcd\n',
    expected: [['Service', 'User', 'etcd', 4]],
  },
  {
    name: 'reads CRLF line endings',
    text: '[Service]\r\nUser=etcd\r\n',
    expected: [['Service', 'User', 'etcd', 2]],
  },
  {
    name: 'takes a continuation on the last line as it is',
    text: '[Service]\nExecStart=/usr/bin/etcd \\',
    expected: [['Service', 'ExecStart', '/usr/bin/etcd', 2]],
  },
];

for (const { name, text, expected } of cases) {
  parseUnitFileSuite(name, () => {
    const actual = parseUnitFile(text).map((a) => [a.section, a.key, a.value, a.line]);
    assert.equal(actual, expected);
  });
}

parseUnitFileSuite.run();
