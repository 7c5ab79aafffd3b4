import { readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';

import { suite } from 'uvu';
import * as assert from 'uvu/assert';

import { InputError, PreflightError, RunFailedError } from '../../src/errors.js';
import { acquireRunLock, readRunLock, releaseRunLock } from '../../src/host/index.js';
import { makeRoot, rejection, removeRoot } from './helpers.js';

const OWNER = { runId: 'run-a', host: 'master-1', pid: 4242, command: 'etcd-rotate rotate' };

const lock = suite<{ root: string }>('run lock');

lock.before.each(async (context) => {
  context.root = await makeRoot();
});
lock.after.each(async (context) => {
  await removeRoot(context.root);
});

lock('acquireRunLock creates a private lock file naming the run', async ({ root }) => {
  const taken = await acquireRunLock(root, OWNER);

  const file = path.join(root, 'var/lib/etcd-rotate/lock');
  assert.is((await stat(file)).mode & 0o7777, 0o600);
  assert.is((await stat(path.dirname(file))).mode & 0o7777, 0o700);
  assert.equal(JSON.parse(await readFile(file, 'utf8')), taken);
  assert.equal(await readRunLock(root), taken);
});

lock('acquireRunLock refuses a second run and names the one holding the lock', async ({ root }) => {
  const first = await acquireRunLock(root, OWNER);

  const error = await rejection(acquireRunLock(root, { ...OWNER, runId: 'run-b', host: 'master-2' }));

  assert.instance(error, PreflightError);
  assert.match(error.message, 'run run-a on master-1');
  assert.match(error.message, `since ${first.since}`);
  const remedy = (error as PreflightError).remedy ?? '';
  assert.match(remedy, 'etcd-rotate rotate --resume');
  assert.match(remedy, 'etcd-rotate rollback');
  assert.match(remedy, 'only if no run is active');
  assert.is((await readRunLock(root))?.runId, 'run-a');
});

lock('acquireRunLock lets the same run take the lock again on resume', async ({ root }) => {
  await acquireRunLock(root, OWNER);

  const again = await acquireRunLock(root, { ...OWNER, pid: 5151 });

  assert.is(again.pid, 5151);
  assert.is((await readRunLock(root))?.pid, 5151);
  assert.is((await stat(path.join(root, 'var/lib/etcd-rotate/lock'))).mode & 0o7777, 0o600);
});

lock('acquireRunLock lets exactly one of two runs starting together through', async ({ root }) => {
  const attempts = await Promise.allSettled(
    ['run-x', 'run-y', 'run-z'].map((runId) => acquireRunLock(root, { ...OWNER, runId })),
  );

  const won = attempts.filter((attempt) => attempt.status === 'fulfilled');
  assert.is(won.length, 1);
  assert.ok(
    attempts.every((a) => a.status === 'fulfilled' || a.reason instanceof PreflightError),
  );
});

lock('releaseRunLock removes only the lock of its own run', async ({ root }) => {
  await acquireRunLock(root, OWNER);

  const error = await rejection(releaseRunLock(root, 'run-b'));
  assert.instance(error, RunFailedError);
  assert.match(error.message, 'run run-a on master-1 holds it');

  assert.is(await releaseRunLock(root, 'run-a'), true);
  assert.is(await readRunLock(root), undefined);
  assert.is(await releaseRunLock(root, 'run-a'), false);
  await acquireRunLock(root, { ...OWNER, runId: 'run-b' });
});

lock('readRunLock calls a damaged lock damaged and says when to remove it', async ({ root }) => {
  await acquireRunLock(root, OWNER);
  await writeFile(path.join(root, 'var/lib/etcd-rotate/lock'), '');

  const error = await rejection(readRunLock(root));

  assert.instance(error, InputError);
  assert.match(error.message, 'is damaged');
  assert.match((error as InputError).remedy ?? '', 'if no etcd-rotate run is active on any master, remove');
});

lock.run();
