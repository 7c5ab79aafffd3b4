/**
 * Splitting PEM files into their blocks, with the operator-facing errors for
 * files that are empty, binary (DER) or damaged. Messages name the file and
 * the block, never the block's contents: a key's base64 must not reach a log.
 */

import { InputError } from '../errors.js';

/** What a file is expected to hold, for messages and conversion hints. */
export type PemKind = 'certificate' | 'private key';

/** One `-----BEGIN <label>-----` ... `-----END <label>-----` block. */
export interface PemBlock {
  /** The label, e.g. `CERTIFICATE`, `RSA PRIVATE KEY`. */
  label: string;
  /** RFC 1421 headers such as `Proc-Type` (legacy encrypted keys), if any. */
  headers: Record<string, string>;
  der: Buffer;
  /** 1-based position among the file's blocks, for messages. */
  index: number;
}

const BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----\r?\n([\s\S]*?)-----END ([A-Z0-9 ]+)-----/g;
const DER_HINT: Record<PemKind, string> = {
  certificate: 'openssl x509 -inform DER',
  'private key': 'openssl pkey -inform DER',
};

/**
 * Returns every PEM block of `input`. Throws an InputError naming `source`
 * when the input is empty, binary, has no PEM block or a block is damaged.
 */
export function splitPem(input: string | Buffer, source: string, kind: PemKind): PemBlock[] {
  const bytes = typeof input === 'string' ? Buffer.from(input, 'utf8') : input;
  if (bytes.toString('latin1').trim() === '') {
    throw new InputError(`cannot read ${kind} ${source}: the file is empty`, {
      remedy: `restore the ${kind} from a backup or point to the right file`,
    });
  }
  if (isBinary(bytes)) throw binaryError(bytes, source, kind);

  const text = bytes.toString('latin1');
  const blocks: PemBlock[] = [];
  for (const match of text.matchAll(BLOCK)) {
    const [, label = '', body = '', endLabel] = match;
    const index = blocks.length + 1;
    if (endLabel !== label) {
      throw damaged(
        source,
        kind,
        `PEM block ${index} begins as "${label}" but ends as "${endLabel}"`,
      );
    }
    blocks.push({
      label,
      index,
      ...decodeBody(body, source, kind, `PEM block ${index} (${label})`),
    });
  }

  if (blocks.length === 0) {
    throw new InputError(
      `cannot read ${kind} ${source}: no PEM block (-----BEGIN ...-----) found`,
      {
        remedy: `check that the path points to a PEM-encoded ${kind}`,
      },
    );
  }
  return blocks;
}

/** The labels of `blocks`, for messages such as "found RSA PRIVATE KEY instead". */
export function describeLabels(blocks: PemBlock[]): string {
  return [...new Set(blocks.map((b) => b.label))].join(', ');
}

/** Encodes DER as a PEM block with 64-column lines and a trailing newline. */
export function toPem(label: string, der: Buffer): string {
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

/** An InputError for a file whose content could not be decoded. */
export function damaged(
  source: string,
  kind: PemKind,
  detail: string,
  cause?: unknown,
): InputError {
  return new InputError(`cannot read ${kind} ${source}: ${detail}`, {
    remedy: `the file is damaged; restore the ${kind} from a backup`,
    cause,
  });
}

function decodeBody(body: string, source: string, kind: PemKind, where: string) {
  const headers: Record<string, string> = {};
  const [head, rest] = body.includes(':') ? splitHeaders(body) : ['', body];
  for (const line of head.split(/\r?\n/).filter(Boolean)) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).trim()] = line.slice(colon + 1).trim();
  }

  const base64 = rest.replace(/\s+/g, '');
  const der = Buffer.from(base64, 'base64');
  if (
    !/^[A-Za-z0-9+/]*={0,2}$/.test(base64) ||
    base64.length % 4 !== 0 ||
    der.toString('base64') !== base64
  ) {
    throw damaged(source, kind, `${where} is not valid base64`);
  }
  if (der.length === 0) throw damaged(source, kind, `${where} is empty`);
  return { headers, der };
}

function splitHeaders(body: string): [string, string] {
  const blank = body.search(/\r?\n\r?\n/);
  if (blank < 0) return ['', body];
  return [body.slice(0, blank), body.slice(blank)];
}

/** Control bytes other than tab and line ends; UTF-8 comments around the blocks are fine. */
function isBinary(bytes: Buffer): boolean {
  return bytes
    .subarray(0, 64)
    .some((b) => (b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d) || b === 0x7f);
}

function binaryError(bytes: Buffer, source: string, kind: PemKind): InputError {
  if (bytes[0] === 0x30) {
    return new InputError(
      `cannot read ${kind} ${source}: the file is DER (binary), PEM text expected`,
      {
        remedy: `convert it with \`${DER_HINT[kind]} -in ${source} -out ${source}.pem\` and use the .pem file`,
      },
    );
  }
  return new InputError(`cannot read ${kind} ${source}: the file is binary, not PEM text`, {
    remedy: `check that the path points to a PEM-encoded ${kind}`,
  });
}
