/**
 * Distinguished names: reading them from DER, printing them on one line and
 * building them for new certificates.
 */

import {
  type Asn1,
  Class,
  Type,
  bytesOf,
  childrenOf,
  constructed,
  oid,
  primitive,
  readOid,
  sequence,
} from './der.js';
import { NameAttributeOid, nameOfOid } from './oids.js';

/** One attribute of a distinguished name, e.g. `{ type: 'CN', value: 'etcd-server' }`. */
export interface NameAttribute {
  /** The short name (CN, O, OU, ...) or the dotted OID when it has none. */
  type: string;
  value: string;
}

/** A distinguished name as a list of RDNs, each a list of attributes, in DER order. */
export type DistinguishedName = NameAttribute[][];

/** Reads a Name node (SEQUENCE OF RDN) into RDNs in DER order. */
export function readName(node: Asn1): DistinguishedName {
  return childrenOf(node).map((rdn) =>
    childrenOf(rdn).map((pair) => {
      const [type, value] = childrenOf(pair);
      if (type === undefined || value === undefined)
        throw new TypeError('truncated name attribute');
      return { type: nameOfOid(NameAttributeOid, readOid(type)), value: decodeString(value) };
    }),
  );
}

/**
 * Prints a name on one line, most specific RDN first, as RFC 4514 and Go's
 * pkix.Name do (`CN=etcd-server, O=etcd`); OpenSSL prints the reverse order.
 */
export function formatName(name: DistinguishedName): string {
  return [...name]
    .reverse()
    .map((rdn) => rdn.map((a) => `${a.type}=${escapeValue(a.value)}`).join('+'))
    .join(', ');
}

/** The value of the last attribute of `type` (the most specific one), if any. */
export function findAttribute(name: DistinguishedName, type: string): string | undefined {
  return name
    .flat()
    .filter((a) => a.type === type)
    .pop()?.value;
}

/**
 * Builds a Name node with one attribute per RDN, in the order given. Values
 * are PrintableString when they fit and UTF8String otherwise, as Go encodes.
 */
export function buildName(attributes: NameAttribute[]): Asn1 {
  return sequence(
    attributes.map((attribute) => {
      const dotted = NameAttributeOid[attribute.type] ?? attribute.type;
      const printable = /^[A-Za-z0-9 '()+,\-./:=?]*$/.test(attribute.value);
      const type = printable ? Type.PRINTABLESTRING : Type.UTF8;
      const value = primitive(
        Class.UNIVERSAL,
        type,
        Buffer.from(attribute.value, printable ? 'latin1' : 'utf8'),
      );
      return constructed(Class.UNIVERSAL, Type.SET, [sequence([oid(dotted), value])]);
    }),
  );
}

const UNIVERSAL_STRING = 28;

function decodeString(node: Asn1): string {
  const bytes = bytesOf(node);
  if (node.type === Type.UTF8) return bytes.toString('utf8');
  if (node.type === Type.BMPSTRING) return bytes.swap16().toString('utf16le');
  if ((node.type as number) === UNIVERSAL_STRING) {
    const points = [];
    for (let i = 0; i + 3 < bytes.length; i += 4) points.push(bytes.readUInt32BE(i));
    return String.fromCodePoint(...points);
  }
  return bytes.toString('latin1');
}

function escapeValue(value: string): string {
  return value
    .replace(/[\\,+"<>;=]/g, (c) => `\\${c}`)
    .replace(/^[#\s]/, (c) => `\\${c}`)
    .replace(/\s$/, (c) => `\\${c}`);
}
