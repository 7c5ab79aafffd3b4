import { createRequire } from 'node:module';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';

const load = createRequire(import.meta.url);
const standIn = {
  ...load('./bin/systemctl/units.cjs'),
  ...load('./bin/systemctl/exec.cjs'),
} as {
  parseUnitText(text: string): [string, string, string][];
  splitWords(line: string, env: Record<string, string>, expand?: boolean): string[];
  parseExec(value: string, env: Record<string, string>, specifiers: Record<string, string>): {
    argv: string[];
    ignoreFailure: boolean;
  };
  parseTimespan(value: string): number;
  serviceSettings(unit: { name: string; fragment: { text: string }; dropins: { text: string }[] }): {
    execStart: string[];
    user: string | null;
    environment: string[];
    timeoutStopMs: number;
  };
  unitName(name: string): string;
};

const parse = suite('systemctl stand-in: unit files');

parse('joins backslash continuations and skips comments inside them', () => {
  const text = '[Service]\n#Type=notify\nExecStart=/usr/bin/etcd --a=1 \\\n  # note\n  --b 2 \\\n  --c\n';
  assert.equal(standIn.parseUnitText(text), [['Service', 'ExecStart', '/usr/bin/etcd --a=1  --b 2  --c']]);
});

parse('lets a drop-in reset ExecStart and override User', () => {
  const s = standIn.serviceSettings({
    name: 'etcd.service',
    fragment: { text: '[Service]\nUser=etcd\nExecStart=/usr/bin/etcd --old\n' },
    dropins: [{ text: '[Service]\nUser=root\nExecStart=\nExecStart=/usr/bin/etcd --new\n' }],
  });
  assert.equal(s.execStart, ['/usr/bin/etcd --new']);
  assert.is(s.user, 'root');
});

parse('reads quoted Environment assignments and TimeoutStopSec spans', () => {
  const s = standIn.serviceSettings({
    name: 'x.service',
    fragment: { text: '[Service]\nEnvironment="A=b c" D=e\nTimeoutStopSec=1min 30s\n' },
    dropins: [],
  });
  assert.equal(s.environment, ['A=b c', 'D=e']);
  assert.is(s.timeoutStopMs, 90_000);
});

parse.run();

const words = suite('systemctl stand-in: command lines');

words('splits quotes and expands ${VAR} inside words and $VAR as words', () => {
  const env = { OPTS: '--x 1', DIR: '/d' };
  assert.equal(standIn.splitWords(`/bin/a "b c" 'd e' --dir=\${DIR} $OPTS $$HOME`, env), [
    '/bin/a', 'b c', 'd e', '--dir=/d', '--x', '1', '$HOME',
  ]);
});

words('strips the - prefix and substitutes %n', () => {
  const r = standIn.parseExec('-/bin/echo %n', {}, { n: 'etcd.service' });
  assert.equal(r.argv, ['/bin/echo', 'etcd.service']);
  assert.ok(r.ignoreFailure);
});

words('parses time spans like systemd', () => {
  assert.is(standIn.parseTimespan('90'), 90_000);
  assert.is(standIn.parseTimespan('500ms'), 500);
  assert.is(standIn.parseTimespan('2min'), 120_000);
  assert.is(standIn.parseTimespan('infinity'), Infinity);
});

words('adds .service to bare unit names only', () => {
  assert.is(standIn.unitName('etcd'), 'etcd.service');
  assert.is(standIn.unitName('etcd.service'), 'etcd.service');
  assert.is(standIn.unitName('multi-user.target'), 'multi-user.target');
});

words.run();
