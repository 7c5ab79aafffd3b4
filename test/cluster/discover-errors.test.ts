import { chmod } from 'node:fs/promises';
import path from 'node:path';

import { suite } from 'uvu';
import * as assert from 'uvu/assert';

import { discoverTopology } from '../../src/cluster/index.js';
import { formatOperatorError, InputError } from '../../src/errors.js';
import {
  discoverAsUnprivileged,
  fixture,
  makeRoot,
  rejection,
  removeRoot,
  type Entry,
} from './helpers.js';

const errorsSuite = suite('discoverTopology refuses bad input with one actionable line');

const UNIT = '/usr/lib/systemd/system/etcd.service';
const ETCD_MANIFEST = '/etc/kubernetes/manifests/etcd.yaml';
const APISERVER_MANIFEST = '/etc/kubernetes/manifests/kube-apiserver.yaml';

const roots: string[] = [];
errorsSuite.after(async () => {
  await Promise.all(roots.map(removeRoot));
});

/** The ACK unit with the lines matching `pattern` removed, and `extra` flags added. */
async function ackUnit(pattern: RegExp | undefined, extra = ''): Promise<string> {
  const lines = (await fixture('ack-etcd.service')).split('\n');
  const kept = pattern ? lines.filter((line) => !pattern.test(line)) : lines;
  return kept.join('\n').replace('--auto-compaction-retention=1', `--auto-compaction-retention=1 ${extra}`);
}

interface Case {
  name: string;
  layout: () => Promise<Record<string, Entry>>;
  message: (root: string) => RegExp;
  remedy: RegExp;
}

const cases: Case[] = [
  {
    name: 'says where it looked when there is no etcd unit and no manifest',
    layout: async () => ({ '/etc/hostname': 'master-1\n' }),
    message: (root) =>
      new RegExp(
        `^no etcd found under root ${root}: looked for ${root}/etc/systemd/system/etcd.service, .*, ${root}/lib/systemd/system/etcd.service, ${root}/etc/kubernetes/manifests/etcd.yaml$`,
      ),
    remedy: /--root=/,
  },
  {
    name: 'refuses a unit without ExecStart=',
    layout: async () => ({ [UNIT]: (await ackUnit(/ExecStart|^ {4}--/)) }),
    message: (root) => new RegExp(`^etcd unit ${root}${UNIT} has no ExecStart= in its \\[Service\\] section$`),
    remedy: /systemctl cat etcd/,
  },
  {
    name: 'refuses a unit without --initial-cluster or ETCD_INITIAL_CLUSTER',
    layout: async () => ({ [UNIT]: await ackUnit(/--initial-cluster 192/) }),
    message: (root) =>
      new RegExp(`^etcd unit ${root}${UNIT} sets no --initial-cluster \\(nor ETCD_INITIAL_CLUSTER\\)`),
    remedy: /add --initial-cluster/,
  },
  {
    name: 'refuses a --name that is not among the members',
    layout: async () => ({ [UNIT]: (await ackUnit(undefined)).replace('--name 192.168.0.180-name-1', '--name master-1') }),
    message: (root) =>
      new RegExp(`^--name master-1 in etcd unit ${root}${UNIT} is not among the --initial-cluster members \\(192.168.0.180-name-1, 192.168.0.181-name-2, 192.168.0.182-name-3\\)$`),
    remedy: /fix --name or --initial-cluster/,
  },
  {
    name: 'refuses an etcd without TLS flags, naming each one missing',
    layout: async () => ({ [UNIT]: await ackUnit(/--cert-file|--peer-key-file/) }),
    message: (root) =>
      new RegExp(`^etcd unit ${root}${UNIT} runs etcd without --cert-file, --peer-key-file: etcd-rotate needs a TLS-enabled etcd`),
    remedy: /enable TLS for clients and peers first/,
  },
  {
    name: 'refuses an etcd started through a shell',
    layout: async () => ({
      [UNIT]: '[Service]\nExecStart=/bin/bash -c "GOMAXPROCS=$(nproc) /usr/bin/etcd --name=${ETCD_NAME}"\n',
    }),
    message: (root) => new RegExp(`^etcd unit ${root}${UNIT} starts etcd through /bin/bash`),
    remedy: /start etcd directly/,
  },
  {
    name: 'refuses a relative data directory under a working directory it cannot resolve',
    layout: async () => ({ [UNIT]: (await ackUnit(undefined)).replace('WorkingDirectory=/var/lib/etcd/', 'WorkingDirectory=~') }),
    message: () => /gives the relative path data.etcd with the working directory ~/,
    remedy: /make the path or the working directory absolute/,
  },
  {
    name: 'refuses an etcd manifest that is not YAML',
    layout: async () => ({ [ETCD_MANIFEST]: (await fixture('kubeadm-etcd.yaml')).replace('  - command:', '  - command: [') }),
    message: (root) => new RegExp(`^malformed YAML in etcd manifest ${root}${ETCD_MANIFEST}: `),
    remedy: /restore it from a backup/,
  },
  {
    name: 'refuses an apiserver manifest that is not YAML, even with a good etcd',
    layout: async () => ({
      [UNIT]: await ackUnit(undefined),
      [APISERVER_MANIFEST]: 'spec:\n  containers:\n\t- name: kube-apiserver\n',
    }),
    message: (root) => new RegExp(`^malformed YAML in kube-apiserver manifest ${root}${APISERVER_MANIFEST}: `),
    remedy: /restore it from a backup/,
  },
];

for (const { name, layout, message, remedy } of cases) {
  errorsSuite(name, async () => {
    const root = await makeRoot(await layout());
    roots.push(root);

    const error = await rejection(discoverTopology({ root }));

    assert.instance(error, InputError);
    assert.match(error.message, message(escape(root)));
    assert.match((error as InputError).remedy ?? '', remedy);
    assert.not.match(formatOperatorError(error as InputError), /\n/);
  });
}

errorsSuite('refuses a unit it may not read, saying how to get access', async () => {
  const root = await makeRoot({ [UNIT]: { fixture: 'ack-etcd.service', mode: 0o600 } });
  roots.push(root);
  await chmod(path.join(root, path.dirname(UNIT)), 0o755);

  const outcome = await discoverAsUnprivileged(root);

  assert.equal(outcome, {
    ok: false,
    name: 'InputError',
    message: `cannot read unit file ${root}${UNIT}: permission denied`,
    remedy: 'run etcd-rotate as root (for example with sudo) or make the file readable',
  });
});

errorsSuite.run();

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
