import { appendFile, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';

import { suite } from 'uvu';
import * as assert from 'uvu/assert';

import { InputError } from '../../src/errors.js';
import {
  appendJournal,
  appendRunLog,
  readJournal,
  readRunFile,
  runDir,
  writeRunFile,
} from '../../src/host/index.js';
import { makeRoot, rejection, removeRoot } from './helpers.js';

const RUN = 'run-1';

function journalFile(root: string): string {
  return path.join(root, 'var/lib/etcd-rotate/runs', RUN, 'journal.jsonl');
}

const journal = suite<{ root: string }>('journal');

journal.before.each(async (context) => {
  context.root = await makeRoot();
});
journal.after.each(async (context) => {
  await removeRoot(context.root);
});

journal('appendJournal appends timed events to a private file that readJournal reads back', async ({ root }) => {
  const first = await appendJournal(root, RUN, { kind: 'phase-started', phase: 'issue' });
  await appendJournal(root, RUN, { kind: 'file-written', path: '/etc/kubernetes/pki/ca.crt' });

  const { events, tornTail } = await readJournal(root, RUN);

  assert.is(tornTail, undefined);
  assert.equal(events[0], first);
  assert.equal(events.map((event) => event.kind), ['phase-started', 'file-written']);
  assert.ok(!Number.isNaN(Date.parse(events[1]?.time ?? '')));
  assert.is((await stat(journalFile(root))).mode & 0o7777, 0o600);
  assert.is((await stat(path.dirname(journalFile(root)))).mode & 0o7777, 0o700);
});

journal('readJournal skips a torn last line and the next append cuts it off', async ({ root }) => {
  await appendJournal(root, RUN, { kind: 'a' });
  await appendJournal(root, RUN, { kind: 'b' });
  await appendFile(journalFile(root), '{"kind":"c","ti');

  const torn = await readJournal(root, RUN);
  assert.equal(torn.events.map((event) => event.kind), ['a', 'b']);
  assert.is(torn.tornTail, '{"kind":"c","ti');

  await appendJournal(root, RUN, { kind: 'd' });
  const repaired = await readJournal(root, RUN);
  assert.equal(repaired.events.map((event) => event.kind), ['a', 'b', 'd']);
  assert.is(repaired.tornTail, undefined);
  assert.ok((await readFile(journalFile(root), 'utf8')).endsWith('"}\n'));
});

journal('readJournal names a damaged line before the last', async ({ root }) => {
  await appendJournal(root, RUN, { kind: 'a' });
  await appendFile(journalFile(root), 'garbage\n');
  await appendJournal(root, RUN, { kind: 'b' });

  const error = await rejection(readJournal(root, RUN));

  assert.instance(error, InputError);
  assert.match(error.message, 'line 2 of the journal /var/lib/etcd-rotate/runs/run-1/journal.jsonl');
});

journal('readJournal reads a run that never wrote as empty', async ({ root }) => {
  assert.equal(await readJournal(root, RUN), { events: [], tornTail: undefined });
});

journal.run();

const runFiles = suite<{ root: string }>('run files and run log');

runFiles.before.each(async (context) => {
  context.root = await makeRoot();
});
runFiles.after.each(async (context) => {
  await removeRoot(context.root);
});

runFiles('writeRunFile replaces a private run file that readRunFile reads back', async ({ root }) => {
  await writeRunFile(root, RUN, 'plan.json', '{"v":1}');
  await writeRunFile(root, RUN, 'plan.json', '{"v":2}');

  const content = await readRunFile(root, RUN, 'plan.json');

  assert.is(content?.toString('utf8'), '{"v":2}');
  const file = path.join(await runDir(root, RUN), 'plan.json');
  assert.is((await stat(file)).mode & 0o7777, 0o600);
  assert.is(await readRunFile(root, RUN, 'missing.json'), undefined);
});

runFiles('writeRunFile tightens a run file someone made readable', async ({ root }) => {
  const file = path.join(await runDir(root, RUN), 'new-ca.key');
  await writeFile(file, 'old', { mode: 0o644 });

  await writeRunFile(root, RUN, 'new-ca.key', 'key');

  assert.is((await stat(file)).mode & 0o7777, 0o600);
});

runFiles('writeRunFile refuses a name that is not a plain file name', async ({ root }) => {
  const error = await rejection(writeRunFile(root, RUN, '../lock', 'x'));

  assert.instance(error, TypeError);
});

runFiles('appendRunLog appends timed lines to run.log', async ({ root }) => {
  await appendRunLog(root, RUN, '[etcd] [10.0.0.1] restarted');
  await appendRunLog(root, RUN, 'two\nlines\n');

  const text = await readFile(path.join(await runDir(root, RUN), 'run.log'), 'utf8');
  const lines = text.split('\n');
  assert.match(lines[0] ?? '', /^\d{4}-\d\d-\d\dT[\d:.]+Z \[etcd\] \[10\.0\.0\.1\] restarted$/);
  assert.match(lines[1] ?? '', / two$/);
  assert.is(lines[2], '    lines');
  assert.is(lines[3], '');
});

runFiles.run();
