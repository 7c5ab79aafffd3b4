/**
 * A thin typed layer over node-forge's ASN.1 codec: Buffers in and out, and
 * the few forge functions that exist at runtime but are missing from
 * @types/node-forge.
 */

import forge from 'node-forge';

/** A node of a parsed DER structure, as node-forge represents it. */
export type Asn1 = forge.asn1.Asn1;

export const { Class, Type } = forge.asn1;

interface FromDerOptions {
  strict?: boolean;
  parseAllBytes?: boolean;
  decodeBitStrings?: boolean;
}

interface ForgeRuntime {
  asn1: { fromDer(bytes: forge.util.ByteBuffer, options: FromDerOptions): Asn1 };
  util: {
    bytesFromIP(ip: string): string | null;
    bytesToIP(bytes: string): string | null;
  };
}

const runtime = forge as unknown as ForgeRuntime;

/**
 * Parses DER bytes. BIT STRING contents are left as bytes (forge otherwise
 * guesses whether they hold nested DER), so re-encoding gives the input back.
 * Throws forge's own error on malformed input; callers wrap it with the file.
 */
export function fromDer(der: Buffer): Asn1 {
  const bytes = forge.util.createBuffer(der.toString('binary'));
  return runtime.asn1.fromDer(bytes, {
    strict: true,
    parseAllBytes: true,
    decodeBitStrings: false,
  });
}

/** Encodes a node (and its children) as DER. */
export function toDer(node: Asn1): Buffer {
  return Buffer.from(forge.asn1.toDer(node).getBytes(), 'binary');
}

/** A primitive node holding `bytes` as its contents. */
export function primitive(tagClass: forge.asn1.Class, type: number, bytes: Buffer): Asn1 {
  return forge.asn1.create(tagClass, type, false, bytes.toString('binary'));
}

/** A constructed node (SEQUENCE, SET or an explicit context tag) of `children`. */
export function constructed(tagClass: forge.asn1.Class, type: number, children: Asn1[]): Asn1 {
  return forge.asn1.create(tagClass, type, true, children);
}

/** A universal SEQUENCE of `children`. */
export function sequence(children: Asn1[]): Asn1 {
  return constructed(Class.UNIVERSAL, Type.SEQUENCE, children);
}

/** An OBJECT IDENTIFIER node for a dotted OID. */
export function oid(dotted: string): Asn1 {
  return forge.asn1.create(
    Class.UNIVERSAL,
    Type.OID,
    false,
    forge.asn1.oidToDer(dotted).getBytes(),
  );
}

/** The dotted form of an OBJECT IDENTIFIER node. */
export function readOid(node: Asn1): string {
  return forge.asn1.derToOid(bytesOf(node).toString('binary'));
}

/** The contents of a primitive node as a Buffer. */
export function bytesOf(node: Asn1): Buffer {
  if (typeof node.value !== 'string') throw new TypeError('expected a primitive ASN.1 value');
  return Buffer.from(node.value, 'binary');
}

/** The children of a constructed node. */
export function childrenOf(node: Asn1): Asn1[] {
  if (typeof node.value === 'string') throw new TypeError('expected a constructed ASN.1 value');
  return node.value;
}

/** The 4 or 16 address bytes of an IP address, or undefined when `ip` is not one. */
export function ipToBytes(ip: string): Buffer | undefined {
  const bytes = runtime.util.bytesFromIP(ip);
  return bytes === null ? undefined : Buffer.from(bytes, 'binary');
}

/** The text form of 4 or 16 address bytes (IPv6 compressed), or hex for other lengths. */
export function bytesToIp(bytes: Buffer): string {
  return runtime.util.bytesToIP(bytes.toString('binary')) ?? bytes.toString('hex');
}

const firstGeneralizedTime = Date.UTC(2050, 0, 1);

/**
 * A Time node: UTCTime before 2050 and GeneralizedTime from 2050 on, as
 * RFC 5280 section 4.1.2.5 requires. Milliseconds are dropped.
 */
export function timeNode(date: Date): Asn1 {
  const whole = new Date(Math.floor(date.getTime() / 1000) * 1000);
  if (whole.getTime() < firstGeneralizedTime && whole.getUTCFullYear() >= 1950) {
    return forge.asn1.create(Class.UNIVERSAL, Type.UTCTIME, false, forge.asn1.dateToUtcTime(whole));
  }
  const text = forge.asn1.dateToGeneralizedTime(whole);
  return forge.asn1.create(Class.UNIVERSAL, Type.GENERALIZEDTIME, false, text);
}

/** The Date of a UTCTime or GeneralizedTime node. */
export function readTime(node: Asn1): Date {
  const text = bytesOf(node).toString('latin1');
  if (node.type === Type.UTCTIME) return forge.asn1.utcTimeToDate(text);
  if (node.type === Type.GENERALIZEDTIME) return forge.asn1.generalizedTimeToDate(text);
  throw new TypeError(`expected a UTCTime or GeneralizedTime, found ASN.1 type ${node.type}`);
}
