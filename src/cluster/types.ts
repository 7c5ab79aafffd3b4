/** One etcd member as the cluster configuration names it. */
export interface Member {
  /** The member name, on ACK `<IP>-name-<N>`. */
  name: string;
  /** The IP address of its peer URL. */
  ip: string;
  peerUrls: string[];
  clientUrls: string[];
}

/** TLS files the local etcd member uses, as absolute host paths (before --root). */
export interface EtcdTlsPaths {
  certFile: string;
  keyFile: string;
  trustedCaFile: string;
  peerCertFile: string;
  peerKeyFile: string;
  peerTrustedCaFile: string;
  /** etcd 3.5 `--client-cert-file`, when set. */
  clientCertFile?: string;
  clientKeyFile?: string;
  peerClientCertFile?: string;
  peerClientKeyFile?: string;
}

/** How the local etcd member is run. */
export type EtcdSource =
  | { kind: 'systemd'; unitPath: string; unitName: string }
  | { kind: 'static-pod'; manifestPath: string };

/** What the local etcd member runs with, read from its unit file or manifest. */
export interface EtcdConfig {
  source: EtcdSource;
  /** `--name` of the local member. */
  localName: string;
  members: Member[];
  /** The data directory, absolute (relative flags resolved against WorkingDirectory). */
  dataDir: string;
  user?: string;
  workingDirectory?: string;
  tls: EtcdTlsPaths;
  listenClientUrls: string[];
  advertiseClientUrls: string[];
  listenPeerUrls: string[];
  initialAdvertisePeerUrls: string[];
  /** Every flag as given, last occurrence wins; flags without a value map to "true". */
  flags: Record<string, string>;
}

/** The kube-apiserver's etcd client settings, from its static pod manifest. */
export interface ApiserverEtcdConfig {
  manifestPath: string;
  servers: string[];
  caFile: string;
  certFile: string;
  keyFile: string;
}

/** Everything discovery learns about one master. */
export interface Topology {
  /** Prefix under which host paths are resolved ("/" on a master, the mount in a container). */
  root: string;
  etcd: EtcdConfig;
  apiserver?: ApiserverEtcdConfig;
}
