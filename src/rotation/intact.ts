import { InputError, messageOf } from '../errors.js';
import { parseCertificates } from '../pki/index.js';
import type { MasterState } from './plan/context.js';

/**
 * Refuses a rotation, or the resume of one, before its first change when a
 * file it reads or rewrites on some master is missing, or is no certificate
 * or no private key (each agent parses its own keys and says only why not):
 * damaged or deleted by hand since the last run (the tool's own writes are
 * atomic, so it never leaves such a file). Without it the planner would stop
 * on a parse error whose remedy does not fit, a missing half of a pair would
 * be left out of the run, and a resumed run would fail on a member that
 * cannot serve. `rollback` writes a new set over all of them, so it is the
 * remedy, and this check is not applied to it. Messages name the file and
 * why, never its content (it may be a key copied over a certificate).
 */
export function assertFilesIntact(masters: MasterState[]): void {
  const problems: string[] = [];
  for (const m of masters) {
    const { layout, inspection } = m;
    const where = `${m.name} (${inspection.hostname})`;
    const certs = [
      layout.clientCa.cert, layout.peerCa.cert, layout.server.cert, layout.serverAsClient?.cert,
      layout.client?.cert, layout.apiserver?.ca, layout.apiserver?.client.cert,
      ...Object.values(layout.peers).map((p) => p.cert), ...layout.kubernetes.cas, ...layout.kubernetes.leaves.map((p) => p.cert),
    ];
    // The keys running members and kube-apiserver use until the run replaces them. The CA keys
    // are left out: the coordinator's are read (and refused if damaged) by readLocalSecrets,
    // and the peers' copies are only ever overwritten.
    const keys = [
      layout.server.key, layout.serverAsClient?.key, layout.client?.key, layout.apiserver?.client.key,
      ...Object.values(layout.peers).map((p) => p.key),
    ];
    for (const path of new Set(certs.filter((p) => p !== undefined))) {
      const file = inspection.certificates.find((c) => c.path === path && c.exists);
      if (!file?.pem) {
        problems.push(`${where}: ${path} is missing`);
        continue;
      }
      try {
        parseCertificates(file.pem, path);
      } catch (error) {
        problems.push(`${where}: ${path} is not a readable certificate: ${messageOf(error).replace(`cannot read certificate ${path}: `, '')}`);
      }
    }
    for (const path of new Set(keys.filter((p) => p !== undefined))) {
      const key = inspection.keys.find((k) => k.path === path && k.exists);
      if (!key) problems.push(`${where}: ${path} is missing`);
      else if (key.unreadable) problems.push(`${where}: ${path} is not a readable private key: ${key.unreadable}`);
    }
  }
  if (problems.length > 0) {
    throw new InputError(`certificate files damaged or missing, nothing was changed: ${problems.join('; ')}`, {
      remedy: '"etcd-rotate rollback --yes" writes a new, consistent set on every master over them (or put the files back and run again)',
    });
  }
}
