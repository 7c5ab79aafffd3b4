/**
 * Server-side check of Alibaba Cloud's V3 request signature
 * (ACS3-HMAC-SHA256), written from the API reference ("V3 request structure
 * and signature"), not from the SDK: rebuild the canonical request from what
 * arrived, hash it, HMAC it with the caller's secret, compare.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/** A request as the server received it. */
export interface ReceivedRequest {
  method: string;
  /** The path and raw query, as on the request line. */
  url: string;
  /** Lower-case names; repeated headers joined by Node with ", ". */
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** Why a request is refused, shaped like the service's answer. */
export interface ApiRefusal {
  status: number;
  code: string;
  message: string;
}

const ALGORITHM = 'ACS3-HMAC-SHA256';
const MAX_SKEW_MS = 15 * 60_000;
/** Headers the service requires to be covered by the signature. */
const REQUIRED_SIGNED = ['host', 'x-acs-action', 'x-acs-content-sha256', 'x-acs-date', 'x-acs-signature-nonce', 'x-acs-version'];

/** The parts of an `Authorization: ACS3-HMAC-SHA256 Credential=...,SignedHeaders=...,Signature=...` header. */
export interface Authorization {
  accessKeyId: string;
  signedHeaders: string[];
  signature: string;
}

/** Parses the Authorization header, or says why it is malformed. */
export function parseAuthorization(value: string | undefined): Authorization | ApiRefusal {
  const malformed = (why: string): ApiRefusal => ({ status: 400, code: 'IncompleteSignature', message: `The request signature does not conform to Aliyun standards: ${why}` });
  if (!value) return { status: 400, code: 'MissingAuthorization', message: 'Authorization is mandatory for this action.' };
  if (!value.startsWith(`${ALGORITHM} `)) return malformed(`the algorithm must be ${ALGORITHM}`);
  const fields = new Map<string, string>();
  for (const part of value.slice(ALGORITHM.length + 1).split(',')) {
    const eq = part.indexOf('=');
    if (eq > 0) fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  const accessKeyId = fields.get('Credential');
  const signedHeaders = fields.get('SignedHeaders');
  const signature = fields.get('Signature');
  if (!accessKeyId || !signedHeaders || !signature) return malformed('Credential, SignedHeaders and Signature are all required');
  return { accessKeyId, signedHeaders: signedHeaders.split(';'), signature };
}

/**
 * Verifies `request` against `secret`; `now` and `seenNonce` enforce the
 * time window and single use of the nonce. Returns undefined when it holds.
 */
export function verifySignatureV3(
  request: ReceivedRequest,
  auth: Authorization,
  secret: string,
  options: { now: number; seenNonce: (nonce: string) => boolean },
): ApiRefusal | undefined {
  const header = (name: string) => single(request.headers[name]);

  const missing = REQUIRED_SIGNED.filter((h) => !auth.signedHeaders.includes(h));
  const unsignedAcs = Object.keys(request.headers).filter((h) => h.startsWith('x-acs-') && !auth.signedHeaders.includes(h));
  if (missing.length > 0 || unsignedAcs.length > 0) {
    return { status: 400, code: 'IncompleteSignature', message: `The request signature does not conform to Aliyun standards: unsigned headers ${[...missing, ...unsignedAcs].join(', ')}` };
  }
  const sorted = [...auth.signedHeaders].sort();
  if (sorted.join(';') !== auth.signedHeaders.join(';')) {
    return { status: 400, code: 'IncompleteSignature', message: 'The request signature does not conform to Aliyun standards: SignedHeaders must be sorted' };
  }

  const date = Date.parse(header('x-acs-date') ?? '');
  if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/.test(header('x-acs-date') ?? '') || Number.isNaN(date)) {
    return { status: 400, code: 'InvalidTimeStamp.Format', message: 'Specified time stamp or date value is not well formatted.' };
  }
  if (Math.abs(options.now - date) > MAX_SKEW_MS) {
    return { status: 400, code: 'InvalidTimeStamp.Expired', message: 'Specified time stamp or date value is expired.' };
  }
  if (options.seenNonce(header('x-acs-signature-nonce') ?? '')) {
    return { status: 400, code: 'SignatureNonceUsed', message: 'Specified signature nonce was used already.' };
  }

  const payloadHash = createHash('sha256').update(request.body).digest('hex');
  if (payloadHash !== header('x-acs-content-sha256')) {
    return { status: 400, code: 'SignatureDoesNotMatch', message: 'The x-acs-content-sha256 header does not match the request body.' };
  }

  const canonical = canonicalRequest(request, auth.signedHeaders, payloadHash);
  const stringToSign = `${ALGORITHM}\n${createHash('sha256').update(canonical).digest('hex')}`;
  const expected = createHmac('sha256', secret).update(stringToSign).digest();
  const given = Buffer.from(auth.signature, 'hex');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return { status: 400, code: 'SignatureDoesNotMatch', message: `Specified signature does not match our calculation. server string to sign is:${stringToSign}` };
  }
  return undefined;
}

/** Method, URI, sorted and re-encoded query, signed headers, their names, payload hash. */
export function canonicalRequest(request: ReceivedRequest, signedHeaders: string[], payloadHash: string): string {
  const [path = '/', rawQuery = ''] = request.url.split('?', 2);
  const pairs = rawQuery
    .split('&')
    .filter((p) => p !== '')
    .map((p) => {
      const eq = p.indexOf('=');
      const name = decodeURIComponent(eq < 0 ? p : p.slice(0, eq));
      const value = eq < 0 ? '' : decodeURIComponent(p.slice(eq + 1));
      return [percentEncode(name), percentEncode(value)] as const;
    })
    .sort(([a, av], [b, bv]) => (a < b ? -1 : a > b ? 1 : av < bv ? -1 : av > bv ? 1 : 0));
  const query = pairs.map(([n, v]) => `${n}=${v}`).join('&');
  const headers = signedHeaders.map((h) => `${h}:${(single(request.headers[h]) ?? '').trim()}\n`).join('');
  return [request.method.toUpperCase(), path || '/', query, headers, signedHeaders.join(';'), payloadHash].join('\n');
}

/** RFC 3986 encoding: everything but A-Z a-z 0-9 - _ . ~ as %XX (upper case). */
export function percentEncode(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(',') : value;
}
