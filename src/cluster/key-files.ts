/**
 * Where a certificate's private key lives by the naming ACK's cfssl and
 * kubeadm use: `ca.pem` keeps its key in `ca-key.pem`, `ca.crt` in `ca.key`.
 */
export function keyFileOf(certificatePath: string): string {
  if (certificatePath.endsWith('.crt')) return certificatePath.replace(/\.crt$/, '.key');
  return certificatePath.replace(/(\.pem)?$/, '-key.pem');
}
