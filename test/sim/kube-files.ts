/**
 * Kubeconfigs with embedded client certificates and kubeadm-style static pod
 * manifests whose kube-apiserver talks to etcd with the ACK client files.
 */
import { stringify } from 'yaml';
import { CLIENT_PORT, type MasterFacts } from './layout.js';

/** PEM texts a kubeconfig embeds. */
export interface KubeconfigPems {
  caCert: string;
  clientCert: string;
  clientKey: string;
}

/** A kubeadm-like kubeconfig for `user` talking to master `m`'s apiserver. */
export function renderKubeconfig(m: MasterFacts, user: string, pems: KubeconfigPems): string {
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      {
        name: 'kubernetes',
        cluster: {
          'certificate-authority-data': b64(pems.caCert),
          server: `https://${m.ip}:6443`,
        },
      },
    ],
    contexts: [{ name: `${user}@kubernetes`, context: { cluster: 'kubernetes', user } }],
    'current-context': `${user}@kubernetes`,
    preferences: {},
    users: [
      {
        name: user,
        user: {
          'client-certificate-data': b64(pems.clientCert),
          'client-key-data': b64(pems.clientKey),
        },
      },
    ],
  });
}

/** The static pod manifests of master `m`, keyed by file name. */
export function renderManifests(
  m: MasterFacts,
  all: readonly MasterFacts[],
): Record<string, string> {
  const etcdServers = all.map((x) => `https://${x.ip}:${CLIENT_PORT}`).join(',');
  const pki = '/etc/kubernetes/pki';
  return {
    'kube-apiserver.yaml': staticPod('kube-apiserver', m, [
      `--advertise-address=${m.ip}`,
      '--allow-privileged=true',
      '--authorization-mode=Node,RBAC',
      `--client-ca-file=${pki}/ca.crt`,
      '--enable-admission-plugins=NodeRestriction',
      '--enable-bootstrap-token-auth=true',
      `--etcd-cafile=${pki}/etcd/ca.pem`,
      `--etcd-certfile=${pki}/etcd/etcd-client.pem`,
      `--etcd-keyfile=${pki}/etcd/etcd-client-key.pem`,
      `--etcd-servers=${etcdServers}`,
      `--kubelet-client-certificate=${pki}/apiserver-kubelet-client.crt`,
      `--kubelet-client-key=${pki}/apiserver-kubelet-client.key`,
      `--proxy-client-cert-file=${pki}/front-proxy-client.crt`,
      `--proxy-client-key-file=${pki}/front-proxy-client.key`,
      `--requestheader-client-ca-file=${pki}/front-proxy-ca.crt`,
      '--requestheader-allowed-names=front-proxy-client',
      '--secure-port=6443',
      `--service-account-issuer=https://kubernetes.default.svc.cluster.local`,
      `--service-account-key-file=${pki}/sa.pub`,
      `--service-account-signing-key-file=${pki}/sa.key`,
      '--service-cluster-ip-range=10.96.0.0/12',
      `--tls-cert-file=${pki}/apiserver.crt`,
      `--tls-private-key-file=${pki}/apiserver.key`,
    ]),
    'kube-controller-manager.yaml': staticPod('kube-controller-manager', m, [
      '--authentication-kubeconfig=/etc/kubernetes/controller-manager.conf',
      '--authorization-kubeconfig=/etc/kubernetes/controller-manager.conf',
      // Each real master has its own loopback; the simulated ones share one network namespace.
      `--bind-address=${m.ip}`,
      `--client-ca-file=${pki}/ca.crt`,
      `--cluster-signing-cert-file=${pki}/ca.crt`,
      `--cluster-signing-key-file=${pki}/ca.key`,
      '--kubeconfig=/etc/kubernetes/controller-manager.conf',
      '--leader-elect=true',
      `--requestheader-client-ca-file=${pki}/front-proxy-ca.crt`,
      `--root-ca-file=${pki}/ca.crt`,
      `--service-account-private-key-file=${pki}/sa.key`,
      '--use-service-account-credentials=true',
    ]),
    'kube-scheduler.yaml': staticPod('kube-scheduler', m, [
      '--authentication-kubeconfig=/etc/kubernetes/scheduler.conf',
      '--authorization-kubeconfig=/etc/kubernetes/scheduler.conf',
      // Each real master has its own loopback; the simulated ones share one network namespace.
      `--bind-address=${m.ip}`,
      '--kubeconfig=/etc/kubernetes/scheduler.conf',
      '--leader-elect=true',
    ]),
  };
}

function staticPod(component: string, m: MasterFacts, flags: string[]): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      annotations:
        component === 'kube-apiserver'
          ? { 'kubeadm.kubernetes.io/kube-apiserver.advertise-address.endpoint': `${m.ip}:6443` }
          : {},
      labels: { component, tier: 'control-plane' },
      name: component,
      namespace: 'kube-system',
    },
    spec: {
      containers: [
        {
          command: [component, ...flags],
          image: `registry-vpc.cn-hangzhou.aliyuncs.com/acs/${component}:v1.22.15-aliyun.1`,
          imagePullPolicy: 'IfNotPresent',
          name: component,
          resources: { requests: { cpu: '250m' } },
          volumeMounts: [
            { mountPath: '/etc/kubernetes', name: 'k8s-certs', readOnly: true },
            { mountPath: '/var/lib/etcd/cert', name: 'etcd-certs', readOnly: true },
          ],
        },
      ],
      hostNetwork: true,
      priorityClassName: 'system-node-critical',
      volumes: [
        { hostPath: { path: '/etc/kubernetes', type: 'DirectoryOrCreate' }, name: 'k8s-certs' },
        { hostPath: { path: '/var/lib/etcd/cert', type: 'DirectoryOrCreate' }, name: 'etcd-certs' },
      ],
    },
    status: {},
  });
}
