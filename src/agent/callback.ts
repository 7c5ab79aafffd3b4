import { connect, type TLSSocket } from 'node:tls';
import { OperatorError, PreflightError, messageOf } from '../errors.js';
import { readFirstLine, type CallbackAnswer } from '../remote/cloud-assistant/handshake.js';

const CONNECT_TIMEOUT_MS = 15_000;

/** Where and how an agent started through Cloud Assistant calls its coordinator. */
export interface CallbackTarget {
  /** `https://<address>:<port>` of the coordinator's listener. */
  url: string;
  /** `sha256:<hex>` of the listener's certificate: anything else is not our coordinator. */
  fingerprint: string;
  /** The one-time token, read from standard input, never from argv. */
  token: string;
  /** This master's own address to connect from (the coordinator checks it). */
  bindAddress?: string;
}

/**
 * Connects to the coordinator, checks that it presents the pinned
 * certificate before sending anything, proves the token and returns the
 * socket the agent protocol then runs on.
 */
export async function connectToCoordinator(target: CallbackTarget): Promise<TLSSocket> {
  const url = parseCallbackUrl(target.url);
  const socket = await new Promise<TLSSocket>((resolve, reject) => {
    const s = connect({
      host: url.hostname.replace(/^\[|\]$/g, ''),
      port: Number(url.port),
      ...(target.bindAddress ? { localAddress: target.bindAddress } : {}),
      // Trust comes from the pinned fingerprint below, not from a CA or a host name.
      rejectUnauthorized: false,
      checkServerIdentity: () => undefined,
      timeout: CONNECT_TIMEOUT_MS,
    });
    s.once('secureConnect', () => resolve(s));
    s.once('timeout', () => s.destroy(new Error(`no TLS handshake within ${CONNECT_TIMEOUT_MS / 1000} s`)));
    s.once('error', (error) =>
      reject(new PreflightError(`cannot connect back to the coordinator at ${target.url}: ${messageOf(error)}`, {
        remedy: 'check that this master can reach the coordinator\'s --listen address (security group, firewall)',
        cause: error,
      })),
    );
  });
  socket.setTimeout(0);

  const presented = `sha256:${socket.getPeerX509Certificate()?.fingerprint256.replace(/:/g, '').toLowerCase() ?? 'none'}`;
  if (presented !== target.fingerprint.toLowerCase()) {
    socket.destroy();
    throw new PreflightError(`the server at ${target.url} presented certificate ${presented}, not ${target.fingerprint}: it is not this run's coordinator`, {
      remedy: 'check for address conflicts or interception between the masters; nothing was sent',
    });
  }

  socket.write(JSON.stringify({ token: target.token }) + '\n');
  const answer = JSON.parse(await readFirstLine(socket, CONNECT_TIMEOUT_MS)) as CallbackAnswer;
  if (!answer.accepted) {
    socket.destroy();
    throw new PreflightError(`the coordinator at ${target.url} refused this agent: ${answer.reason}`);
  }
  return socket;
}

function parseCallbackUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new OperatorError(`--connect takes https://ADDRESS:PORT, got "${text}"`);
  }
  if (url.protocol !== 'https:' || url.port === '') {
    throw new OperatorError(`--connect takes https://ADDRESS:PORT, got "${text}"`);
  }
  return url;
}
