import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CloudCredentials } from '../../src/cloud/credentials.js';
import { createEcsApi } from '../../src/cloud/ecs-api.js';
import { parseAuthorization, percentEncode, verifySignatureV3, type Authorization, type ReceivedRequest } from './ecs-standin/signature.js';

const SECRET = 'signature-test-secret';

/** One DescribeInstances request exactly as the SDK sends it. */
async function captureSdkRequest(): Promise<ReceivedRequest> {
  let captured: ReceivedRequest | undefined;
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    captured = { method: req.method!, url: req.url!, headers: req.headers, body: Buffer.concat(chunks) };
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"RequestId":"r","Instances":{"Instance":[]},"NextToken":""}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  const api = createEcsApi({
    region: 'cn-test',
    endpoint: `http://127.0.0.1:${port}`,
    credentials: { get: async () => new CloudCredentials('LTAI5tSignatureTest1', SECRET, undefined, 'environment') },
  });
  await api.describeInstances({ clusterId: 'c with spaces/and*stars' });
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return captured!;
}

const test = suite<{ request: ReceivedRequest; auth: Authorization }>('verifySignatureV3 (the stand-in\'s check)');

test.before(async (ctx) => {
  ctx.request = await captureSdkRequest();
  ctx.auth = parseAuthorization(ctx.request.headers['authorization'] as string) as Authorization;
});

const fresh = () => ({ now: Date.now(), seenNonce: () => false });

test('accepts the request the SDK signed with ACS3-HMAC-SHA256', ({ request, auth }) => {
  assert.match(String(request.headers['authorization']), /^ACS3-HMAC-SHA256 Credential=LTAI5tSignatureTest1,SignedHeaders=host;x-acs-action;/);
  assert.is(verifySignatureV3(request, auth, SECRET, fresh()), undefined);
});

test('refuses a changed query parameter, action, secret or body', ({ request, auth }) => {
  const cases: ReceivedRequest[] = [
    { ...request, url: request.url.replace('RegionId=cn-test', 'RegionId=cn-other') },
    { ...request, headers: { ...request.headers, 'x-acs-action': 'RunCommand' } },
  ];
  for (const changed of cases) assert.is(verifySignatureV3(changed, auth, SECRET, fresh())?.code, 'SignatureDoesNotMatch');
  assert.is(verifySignatureV3(request, auth, 'other-secret', fresh())?.code, 'SignatureDoesNotMatch');
  assert.is(verifySignatureV3({ ...request, body: Buffer.from('x') }, auth, SECRET, fresh())?.code, 'SignatureDoesNotMatch');
});

test('refuses a stale date, a reused nonce and an unsigned x-acs header', ({ request, auth }) => {
  assert.is(verifySignatureV3(request, auth, SECRET, { now: Date.now() + 3600_000, seenNonce: () => false })?.code, 'InvalidTimeStamp.Expired');
  assert.is(verifySignatureV3(request, auth, SECRET, { now: Date.now(), seenNonce: () => true })?.code, 'SignatureNonceUsed');
  const fewer = { ...auth, signedHeaders: auth.signedHeaders.filter((h) => h !== 'x-acs-signature-nonce') };
  assert.is(verifySignatureV3(request, fewer, SECRET, fresh())?.code, 'IncompleteSignature');
});

test('percentEncode follows RFC 3986: space as %20, star and slash encoded, tilde kept', () => {
  assert.is(percentEncode('a b*c/d~e'), 'a%20b%2Ac%2Fd~e');
});

test.run();
