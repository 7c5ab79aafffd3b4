/**
 * The docker flags that give the etcd-rotate container its privileges: `--privileged`, unless
 * ETCD_ROTATE_DOCKER_PRIVILEGE_FLAGS replaces it (for sandboxes that refuse --privileged; the
 * wrapper scripts read the same variable and pass it on to the container).
 */

/** The privilege flags, split on whitespace. */
export function privilegeFlags(env: NodeJS.ProcessEnv = process.env): string[] {
  const override = env['ETCD_ROTATE_DOCKER_PRIVILEGE_FLAGS']?.trim();
  return override ? override.split(/\s+/) : ['--privileged'];
}
