import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { InputError } from '../../src/errors.js';
import { splitPem, toPem } from '../../src/pki/pem.js';
import { thrown } from './support.js';

const der = Buffer.from([0x30, 0x03, 0x02, 0x01, 0x05]);

test('splitPem returns every block with its label, position and bytes', () => {
  const text = `junk before\n${toPem('CERTIFICATE', der)}between\n${toPem('RSA PRIVATE KEY', Buffer.from('key'))}`;
  const blocks = splitPem(text, '/x/bundle.pem', 'certificate');
  assert.equal(
    blocks.map((b) => [b.label, b.index]),
    [
      ['CERTIFICATE', 1],
      ['RSA PRIVATE KEY', 2],
    ],
  );
  assert.ok(blocks[0]?.der.equals(der));
});

test('splitPem reads CRLF files and RFC 1421 headers of legacy encrypted keys', () => {
  const body = Buffer.from('0123456789abcdef').toString('base64');
  const text = `-----BEGIN RSA PRIVATE KEY-----\r\nProc-Type: 4,ENCRYPTED\r\nDEK-Info: AES-256-CBC,00\r\n\r\n${body}\r\n-----END RSA PRIVATE KEY-----\r\n`;
  const [block] = splitPem(text, 'k.pem', 'private key');
  assert.is(block?.headers['Proc-Type'], '4,ENCRYPTED');
  assert.is(block?.der.toString(), '0123456789abcdef');
});

test('splitPem reads a file with a byte order mark and UTF-8 comments around the block', () => {
  const text = `\ufeff# 阿里云 etcd CA, renewed 2026\n${toPem('CERTIFICATE', der)}# fin\n`;
  const blocks = splitPem(text, 'ca.pem', 'certificate');
  assert.equal(blocks.map((b) => b.label), ['CERTIFICATE']);
});

test('toPem wraps base64 at 64 columns and ends with a newline', () => {
  const pem = toPem('CERTIFICATE', Buffer.alloc(100, 7));
  const lines = pem.trimEnd().split('\n');
  assert.ok(lines.slice(1, -1).every((l) => l.length <= 64));
  assert.ok(pem.endsWith('-----END CERTIFICATE-----\n'));
});

const failures: [string, string | Buffer, RegExp][] = [
  ['an empty file', '', /ca\.pem: the file is empty/],
  ['a file of blank lines', '\n \n\t\n', /ca\.pem: the file is empty/],
  [
    'DER bytes',
    Buffer.from([0x30, 0x82, 0x01, 0x0a, 0x02, 0x82, 0x01, 0x01, 0x00]),
    /ca\.pem: the file is DER \(binary\)/,
  ],
  [
    'other binary data',
    Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01]),
    /ca\.pem: the file is binary, not PEM/,
  ],
  ['text without a PEM block', 'hello\n', /ca\.pem: no PEM block/],
  [
    'a block with bad base64',
    '-----BEGIN CERTIFICATE-----\nMII*not base64*\n-----END CERTIFICATE-----\n',
    /ca\.pem: PEM block 1 \(CERTIFICATE\) is not valid base64/,
  ],
  [
    'a block with truncated base64',
    '-----BEGIN CERTIFICATE-----\nMIIB\nMI\n-----END CERTIFICATE-----\n',
    /is not valid base64/,
  ],
  [
    'a block with mismatched labels',
    '-----BEGIN CERTIFICATE-----\nMAA=\n-----END PRIVATE KEY-----\n',
    /begins as "CERTIFICATE" but ends as "PRIVATE KEY"/,
  ],
];

for (const [what, input, message] of failures) {
  test(`splitPem refuses ${what} with an InputError naming the file`, async () => {
    const error = await thrown(() => splitPem(input, '/etc/kubernetes/pki/ca.pem', 'certificate'));
    assert.instance(error, InputError);
    assert.match(error.message, message);
    assert.match(error.message, '/etc/kubernetes/pki/ca.pem');
    assert.not.match(error.message, '\n');
  });
}

test('splitPem suggests the openssl conversion command for DER files', async () => {
  const error = (await thrown(() => splitPem(der, 'ca.crt', 'certificate'))) as InputError;
  assert.match(error.remedy ?? '', 'openssl x509 -inform DER -in ca.crt -out ca.crt.pem');
  const keyError = (await thrown(() => splitPem(der, 'ca.key', 'private key'))) as InputError;
  assert.match(keyError.remedy ?? '', 'openssl pkey -inform DER -in ca.key');
});

test.run();
