/**
 * The first exchange on a callback connection, before the JSON-lines agent
 * protocol starts: the agent sends its one-time token, the coordinator
 * answers whether it accepts. One line each way.
 */

/** The agent's first line. */
export interface CallbackHello {
  token: string;
}

/** The coordinator's answer. */
export type CallbackAnswer = { accepted: true } | { accepted: false; reason: string };

const MAX_LINE = 4096;

/**
 * Reads one line from `socket`, leaving any bytes after it unread for the
 * next reader. Rejects on EOF, on a line longer than 4 KiB, or after `timeoutMs`.
 */
export function readFirstLine(
  socket: NodeJS.ReadableStream & { unshift(chunk: Buffer): void },
  timeoutMs: number,
): Promise<string> {
  return new Promise((resolve, reject) => {
    let buffered = Buffer.alloc(0);
    const timer = setTimeout(() => finish(new Error(`no handshake line within ${timeoutMs / 1000} s`)), timeoutMs);

    function finish(error: Error | undefined, line?: string, rest?: Buffer): void {
      clearTimeout(timer);
      socket.off('data', onData);
      socket.off('end', onEnd);
      socket.off('error', onError);
      socket.pause();
      if (rest && rest.length > 0) socket.unshift(rest);
      if (error) reject(error);
      else resolve(line!);
    }
    function onData(chunk: Buffer): void {
      buffered = Buffer.concat([buffered, chunk]);
      const newline = buffered.indexOf(0x0a);
      if (newline >= 0) finish(undefined, buffered.subarray(0, newline).toString('utf8'), buffered.subarray(newline + 1));
      else if (buffered.length > MAX_LINE) finish(new Error('the handshake line is longer than 4 KiB'));
    }
    const onEnd = () => finish(new Error('the connection closed before the handshake'));
    const onError = (error: Error) => finish(error);
    socket.on('data', onData).on('end', onEnd).on('error', onError);
  });
}
