import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Type, childrenOf } from '../../src/pki/der.js';
import { buildName, findAttribute, formatName, readName } from '../../src/pki/names.js';

test('formatName prints the most specific RDN first and escapes RFC 4514 specials', () => {
  const name = readName(
    buildName([
      { type: 'C', value: 'CN' },
      { type: 'O', value: 'Alibaba, Inc.' },
      { type: 'OU', value: ' padded ' },
      { type: 'CN', value: '#1+2' },
    ]),
  );
  assert.is(formatName(name), 'CN=\\#1\\+2, OU=\\ padded\\ , O=Alibaba\\, Inc., C=CN');
});

test('buildName uses PrintableString when it can and UTF8String otherwise, as Go does', () => {
  const node = buildName([
    { type: 'O', value: 'ops_team' },
    { type: 'CN', value: 'etcd-server' },
    { type: 'O', value: '阿里云' },
  ]);
  const types = childrenOf(node).map((rdn) => childrenOf(childrenOf(rdn)[0]!)[1]!.type);
  assert.equal(types, [Type.UTF8, Type.PRINTABLESTRING, Type.UTF8]);
  assert.is(formatName(readName(node)), 'O=阿里云, CN=etcd-server, O=ops_team');
});

test('findAttribute returns the most specific value of a type', () => {
  const name = readName(
    buildName([
      { type: 'CN', value: 'first' },
      { type: 'CN', value: 'last' },
    ]),
  );
  assert.is(findAttribute(name, 'CN'), 'last');
  assert.is(findAttribute(name, 'O'), undefined);
});

test.run();
