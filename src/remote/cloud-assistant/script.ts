import { shellQuote } from '../shell-quote.js';

/** What the agent started through Cloud Assistant needs to call back. */
export interface AgentScriptOptions {
  peerCommand: string;
  remoteRoot: string;
  url: string;
  fingerprint: string;
  /** The peer's own address, which the coordinator expects the callback from. */
  bindAddress: string;
  token: string;
}

/**
 * The shell script RunCommand runs on a peer. The API stores it, so it holds
 * no key material: only where to call back, the listener's certificate
 * fingerprint and a token that is valid once, from this peer's address, while
 * this run's listener waits. The token reaches the agent on standard input,
 * so it is not in the peer's process list.
 */
export function agentScript(options: AgentScriptOptions): string {
  const argv = [
    'agent',
    '--root', shellQuote(options.remoteRoot),
    '--connect', shellQuote(options.url),
    '--fingerprint', options.fingerprint,
    '--bind', shellQuote(options.bindAddress),
  ].join(' ');
  return [
    '#!/bin/sh',
    '# etcd-rotate: the agent of one rotation run, calling back to its coordinator.',
    `exec ${options.peerCommand} ${argv} <<'ETCD_ROTATE_TOKEN'`,
    options.token,
    'ETCD_ROTATE_TOKEN',
    '',
  ].join('\n');
}
