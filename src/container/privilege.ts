/**
 * The flags that give the etcd-rotate container its privileges: `--privileged`, unless
 * ETCD_ROTATE_DOCKER_PRIVILEGE_FLAGS (docker run) or ETCD_ROTATE_CTR_PRIVILEGE_FLAGS (ctr run)
 * replaces it (for sandboxes that refuse --privileged; the wrapper scripts read the same
 * variables and pass them on to the container).
 */

/** docker's privilege flags, split on whitespace. */
export function privilegeFlags(env: NodeJS.ProcessEnv = process.env): string[] {
  return flagsOf(env['ETCD_ROTATE_DOCKER_PRIVILEGE_FLAGS']);
}

/** ctr's privilege flags, split on whitespace. */
export function ctrPrivilegeFlags(env: NodeJS.ProcessEnv = process.env): string[] {
  return flagsOf(env['ETCD_ROTATE_CTR_PRIVILEGE_FLAGS']);
}

function flagsOf(override: string | undefined): string[] {
  const flags = override?.trim();
  return flags ? flags.split(/\s+/) : ['--privileged'];
}
