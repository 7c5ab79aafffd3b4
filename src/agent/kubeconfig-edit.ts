import { parseDocument, isSeq, isMap } from 'yaml';
import { readHostFile } from '../cluster/index.js';
import { InputError } from '../errors.js';
import { writeFileAtomic } from '../host/index.js';
import type { KubeconfigWrite } from './protocol.js';

/**
 * Replaces the embedded client certificate and key of one kubeconfig user
 * (and, with `caPem`, the CA data of its clusters), keeping the rest of the
 * file as it was. The file keeps its owner and mode.
 */
export async function writeKubeconfigCredentials(root: string, change: KubeconfigWrite): Promise<void> {
  const text = await readHostFile(root, change.path, 'kubeconfig');
  if (text === undefined) {
    throw new InputError(`kubeconfig ${change.path} is gone`, {
      remedy: 'restore it from the run\'s backup, then run "etcd-rotate rotate --resume"',
    });
  }
  const document = parseDocument(text);
  const users = document.get('users');
  if (!isSeq(users)) throw new InputError(`kubeconfig ${change.path} has no users`);

  const user = users.items.find((item) => isMap(item) && item.get('name') === change.user);
  if (!isMap(user)) {
    throw new InputError(`kubeconfig ${change.path} has no user ${change.user}`, {
      remedy: 'the file changed since the plan was made; run "etcd-rotate rotate --resume" to re-read it',
    });
  }
  user.setIn(['user', 'client-certificate-data'], base64(change.certificatePem));
  user.setIn(['user', 'client-key-data'], base64(change.keyPem));

  if (change.caPem) {
    const clusters = document.get('clusters');
    if (isSeq(clusters)) {
      for (const cluster of clusters.items) {
        if (isMap(cluster) && cluster.getIn(['cluster', 'certificate-authority-data']) !== undefined) {
          cluster.setIn(['cluster', 'certificate-authority-data'], base64(change.caPem));
        }
      }
    }
  }
  await writeFileAtomic(root, change.path, document.toString({ lineWidth: 0 }), { mode: 0o600 });
}

function base64(pem: string): string {
  return Buffer.from(pem).toString('base64');
}
