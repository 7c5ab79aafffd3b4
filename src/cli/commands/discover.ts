import { describeMasterInstances } from '../../cloud/discovery.js';
import { discoverTopology } from '../../cluster/index.js';
import { ExitCode } from '../../errors.js';
import { choiceFlag, stringFlag } from '../args.js';
import { findMasterInstances } from '../transport-options.js';
import { ROOT_HELP, type Command } from '../command.js';

export const discoverCommand: Command = {
  name: 'discover',
  summary: 'show the etcd members and certificate paths this master runs with',
  help: `Usage: etcd-rotate discover [--output text|json] [--discover ecs [--cluster-id ID] [--region R]] [--root DIR]

Reads the etcd systemd unit (or kubeadm etcd manifest) and the kube-apiserver
manifest and prints what a rotation would work from: the members, which one is
this master, and every certificate, key and CA path in use. Changes nothing.

  --output FORMAT     text (default) or json
  --discover ecs      also match each member to its ECS instance (tag
                      ack.aliyun.com=<cluster id>, by private IP), as
                      "rotate --transport cloud-assistant" will
  --cluster-id ID     the ACK cluster id (default: this instance's tag)
  --region R          the ECS region (default: from the instance metadata)
${ROOT_HELP}`,
  flags: { strings: ['root', 'output', 'discover', 'cluster-id', 'region'], defaults: { root: '/' } },

  async run(args, io) {
    const output = choiceFlag(args, 'output', ['text', 'json'] as const) ?? 'text';
    const topology = await discoverTopology({ root: stringFlag(args, 'root') ?? '/' });
    const instances = choiceFlag(args, 'discover', ['local', 'ecs'] as const) === 'ecs'
      ? await findMasterInstances(topology.etcd.members, { region: stringFlag(args, 'region'), clusterId: stringFlag(args, 'cluster-id') })
      : undefined;

    if (output === 'json') {
      const ecs = instances && { clusterId: instances.clusterId, byMember: Object.fromEntries(instances.byMember), others: instances.others };
      io.stdout.write(JSON.stringify(ecs ? { ...topology, ecs } : topology, null, 2) + '\n');
      return ExitCode.ok;
    }

    const { etcd, apiserver } = topology;
    const source = etcd.source.kind === 'systemd' ? etcd.source.unitPath : etcd.source.manifestPath;
    const lines = [
      `etcd configuration: ${source}`,
      `this member:        ${etcd.localName}`,
      `data directory:     ${etcd.dataDir}`,
      'members:',
      ...etcd.members.map(
        (m) => `  ${m.name === etcd.localName ? '*' : ' '} ${m.name}  peer ${m.peerUrls.join(',')}  client ${m.clientUrls.join(',')}`,
      ),
      ...(instances ? ['ECS instances:', ...describeMasterInstances(instances).map((l) => `    ${l}`)] : []),
      'etcd TLS files:',
      ...Object.entries(etcd.tls).map(([flag, file]) => `    ${flag.padEnd(18)} ${file}`),
    ];
    if (apiserver) {
      lines.push(
        `kube-apiserver:     ${apiserver.manifestPath}`,
        `    etcd servers       ${apiserver.servers.join(',')}`,
        `    etcd CA            ${apiserver.caFile}`,
        `    etcd client cert   ${apiserver.certFile}`,
        `    etcd client key    ${apiserver.keyFile}`,
      );
    } else {
      lines.push('kube-apiserver:     no manifest found');
    }
    io.stdout.write(lines.join('\n') + '\n');
    return ExitCode.ok;
  },
};
