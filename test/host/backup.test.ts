import {
  chmod,
  chown,
  lstat,
  mkdir,
  readdir,
  readFile,
  stat,
  symlink,
  utimes,
  writeFile,
} from 'node:fs/promises';
import path from 'node:path';

import { suite } from 'uvu';
import * as assert from 'uvu/assert';

import { InputError } from '../../src/errors.js';
import {
  backupDir,
  createBackup,
  listBackups,
  restoreBackup,
  SNAPSHOT_NAME,
} from '../../src/host/index.js';
import { makeRoot, put, rejection, removeRoot } from './helpers.js';

const KEY = '/var/lib/etcd/cert/ca-key.pem';
const CERT = '/etc/kubernetes/pki/apiserver.crt';
const LINKED = '/etc/kubernetes/pki/etcd/ca.pem';
const ABSENT = '/etc/kubernetes/pki/not-there.crt';
const BINARY = Buffer.from([0, 1, 2, 255, 254, 10, 13, 0]);

/** Puts the files of a small master under `root`, each with its own owner and mode. */
async function master(root: string): Promise<void> {
  await chown(await put(root, KEY, BINARY), 41001, 41002);
  await chmod(path.join(root, KEY), 0o600);
  await chmod(await put(root, CERT, 'apiserver cert\n'), 0o644);
  await mkdir(path.join(root, 'etc/kubernetes/pki/etcd'), { recursive: true });
  await symlink('/var/lib/etcd/cert/ca-key.pem', path.join(root, LINKED));
}

async function modeOf(file: string): Promise<number> {
  return (await stat(file)).mode & 0o7777;
}

const backup = suite<{ root: string }>('createBackup and restoreBackup');

backup.before.each(async (context) => {
  context.root = await makeRoot();
  await master(context.root);
});
backup.after.each(async (context) => {
  await removeRoot(context.root);
});

backup('createBackup copies each file byte for byte into a private folder with a manifest', async ({ root }) => {
  const result = await createBackup(root, 'run-1', [KEY, CERT, LINKED, ABSENT], [
    { name: 'plan.json', content: '{"plan":true}' },
  ]);

  const dir = path.join(root, 'var/lib/etcd-rotate/backups/run-1');
  assert.is(result.created, true);
  assert.is(result.dir, '/var/lib/etcd-rotate/backups/run-1');
  assert.is(await modeOf(dir), 0o700);
  assert.equal(await readFile(path.join(dir, 'files', KEY)), BINARY);
  assert.is(await modeOf(path.join(dir, 'files', KEY)), 0o600);
  assert.is(await modeOf(path.join(dir, 'manifest.json')), 0o600);
  assert.is(await readFile(path.join(dir, 'plan.json'), 'utf8'), '{"plan":true}');

  const manifest = JSON.parse(await readFile(path.join(dir, 'manifest.json'), 'utf8'));
  assert.equal(manifest.absent, [ABSENT]);
  assert.equal(
    manifest.files.map((f: Record<string, unknown>) => [f['path'], f['mode'], f['uid'], f['gid'], f['size']]),
    [
      [KEY, 0o600, 41001, 41002, BINARY.length],
      [CERT, 0o644, 0, 0, 15],
      [LINKED, 0o600, 41001, 41002, BINARY.length],
    ],
  );
  assert.is(manifest.files[2].linkTarget, '/var/lib/etcd/cert/ca-key.pem');
  assert.is(manifest.files[2].realPath, KEY);
  assert.is(manifest.extras[0].name, 'plan.json');
});

backup('restoreBackup puts back content, owner and mode byte for byte', async ({ root }) => {
  await createBackup(root, 'run-1', [KEY, CERT, LINKED]);
  await writeFile(path.join(root, KEY), 'rotated key');
  await chown(path.join(root, KEY), 0, 0);
  await chmod(path.join(root, KEY), 0o644);
  await writeFile(path.join(root, CERT), 'rotated cert');

  const result = await restoreBackup(root, 'run-1');

  assert.equal(result, { restored: [KEY, CERT, LINKED], absent: [] });
  assert.equal(await readFile(path.join(root, KEY)), BINARY);
  assert.is(await readFile(path.join(root, CERT), 'utf8'), 'apiserver cert\n');
  const key = await stat(path.join(root, KEY));
  assert.equal([key.uid, key.gid, key.mode & 0o7777], [41001, 41002, 0o600]);
  assert.ok((await lstat(path.join(root, LINKED))).isSymbolicLink());
});

backup('createBackup called again for the same run keeps the first archive', async ({ root }) => {
  const first = await createBackup(root, 'run-1', [KEY, CERT]);
  await writeFile(path.join(root, CERT), 'rotated cert');

  const second = await createBackup(root, 'run-1', [KEY, CERT, LINKED]);

  assert.is(second.created, false);
  assert.equal(second.manifest, first.manifest);
  const archived = path.join(root, 'var/lib/etcd-rotate/backups/run-1/files', CERT);
  assert.is(await readFile(archived, 'utf8'), 'apiserver cert\n');
});

backup('restoreBackup refuses a tampered archive and changes nothing', async ({ root }) => {
  await createBackup(root, 'run-1', [KEY, CERT]);
  await writeFile(path.join(root, CERT), 'rotated cert');
  await writeFile(path.join(root, KEY), 'rotated key');
  const archived = path.join(root, 'var/lib/etcd-rotate/backups/run-1/files', CERT);
  await writeFile(archived, 'apiserver cerT\n');

  const error = await rejection(restoreBackup(root, 'run-1'));

  assert.instance(error, InputError);
  assert.match(error.message, 'refusing to restore the backup of run run-1');
  assert.match(error.message, `${CERT} (SHA-256 differs)`);
  assert.match((error as InputError).remedy ?? '', 'nothing was changed');
  assert.is(await readFile(path.join(root, KEY), 'utf8'), 'rotated key');
  assert.is(await readFile(path.join(root, CERT), 'utf8'), 'rotated cert');
});

backup('restoreBackup refuses a run without a complete backup', async ({ root }) => {
  const error = await rejection(restoreBackup(root, 'run-none'));

  assert.instance(error, InputError);
  assert.match(error.message, 'there is no complete backup of run run-none');
});

backup('createBackup refuses a run-id that is not a plain name', async ({ root }) => {
  const error = await rejection(createBackup(root, '../escape', [KEY]));

  assert.match(error.message, 'the run-id "../escape" is not valid');
});

backup.run();

const list = suite<{ root: string }>('listBackups');

list.before.each(async (context) => {
  context.root = await makeRoot();
  await master(context.root);
});
list.after.each(async (context) => {
  await removeRoot(context.root);
});

list('listBackups lists backups newest first with their size and snapshot', async ({ root }) => {
  await createBackup(root, 'run-old', [KEY]);
  await new Promise((resolve) => setTimeout(resolve, 15));
  await createBackup(root, 'run-new', [KEY, CERT]);
  await writeFile(path.join(await backupDir(root, 'run-new'), SNAPSHOT_NAME), Buffer.alloc(1000));
  const unfinished = await backupDir(root, 'run-unfinished');
  await utimes(unfinished, new Date('2001-01-01'), new Date('2001-01-01'));

  const backups = await listBackups(root);

  assert.equal(
    backups.map((b) => [b.runId, b.complete, b.files, b.hasSnapshot]),
    [
      ['run-new', true, 2, true],
      ['run-old', true, 1, false],
      ['run-unfinished', false, 0, false],
    ],
  );
  const manifestBytes = (await stat(path.join(root, 'var/lib/etcd-rotate/backups/run-new/manifest.json'))).size;
  assert.is(backups[0]?.bytes, manifestBytes + BINARY.length + 15 + 1000);
  assert.equal(await readdir(path.join(root, 'var/lib/etcd-rotate/backups')), ['run-new', 'run-old', 'run-unfinished']);
});

list('listBackups is empty on a master that never ran', async ({ root }) => {
  assert.equal(await listBackups(root), []);
});

list.run();
