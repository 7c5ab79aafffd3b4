/**
 * Log lines in klog's header format, `I1203 17:23:01.123456   12345 source] message`, written
 * to stderr as the Kubernetes binaries do (the container runtime puts stdout and stderr in the
 * same log file).
 */

const LEVELS = { info: 'I', warn: 'W', error: 'E', fatal: 'F' };

/** A logger whose methods take a source tag (`server.go`) and a message. */
export function createLogger(stream = process.stderr) {
  const write = (level, source, message) => {
    stream.write(`${header(level)} ${source}] ${message}\n`);
  };
  return {
    info: (source, message) => write('info', source, message),
    warn: (source, message) => write('warn', source, message),
    error: (source, message) => write('error', source, message),
    /** Logs and ends the process with exit code 1, like klog.Fatal. */
    fatal: (source, message) => {
      write('fatal', source, message);
      process.exit(1);
    },
  };
}

function header(level) {
  const d = new Date();
  const two = (n) => String(n).padStart(2, '0');
  const micros = String(d.getMilliseconds() * 1000).padStart(6, '0');
  const time = `${two(d.getMonth() + 1)}${two(d.getDate())} ${two(d.getHours())}:` +
    `${two(d.getMinutes())}:${two(d.getSeconds())}.${micros}`;
  return `${LEVELS[level]}${time} ${String(process.pid).padStart(7)}`;
}

/** Quotes a value for a structured klog line: `key="value"`. */
export function kv(key, value) {
  return `${key}=${JSON.stringify(String(value))}`;
}
