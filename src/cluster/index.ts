/**
 * Discovery of a master's etcd and control-plane topology. `discoverTopology` is the entry
 * point; the parsers it is built from are exported for the tools and tests that need them.
 */

export * from './types.js';
export { discoverTopology, type DiscoverOptions } from './discover.js';
export {
  APISERVER_MANIFEST_PATH,
  readApiserverEtcdConfig,
  type DiscoveryWarning,
} from './apiserver.js';
export { buildEtcdConfig } from './etcd-config.js';
export { ETCD_BOOLEAN_FLAGS, readEtcdFlags } from './etcd-flags.js';
export { ETCD_MANIFEST_PATH, readEtcdLaunch, readEtcdStaticPod } from './etcd-launch.js';
export { parseEnvironmentAssignments, parseEnvironmentFile } from './environment-file.js';
export { expandEnvironment, parseExecStart, type ExecCommand } from './exec-command.js';
export {
  lastFlagValues,
  parseBoolean,
  parseFlags,
  type FlagOccurrence,
  type FlagSyntax,
} from './flags.js';
export { listHostDirectory, readHostFile, readHostLink } from './host-file.js';
export { hostPath, resolveAgainst, resolveHostPath } from './host-path.js';
export { assertRunsEtcdDirectly, type EtcdLaunch } from './launch.js';
export {
  assignClientUrls,
  hostOfUrl,
  parseInitialCluster,
  type ClientUrlSources,
} from './members.js';
export {
  expandVariables,
  MANIFEST_DIRECTORY,
  readStaticPodContainer,
  type PodContainer,
} from './static-pod.js';
export { loadUnit, UNIT_DIRECTORIES, type LoadedUnit, type UnitFile } from './unit-files.js';
export { parseUnitFile, type UnitAssignment } from './unit-syntax.js';
export { splitUnitWords, UnitSyntaxError } from './unit-words.js';
export { ETCD_UNIT_NAME, readEtcdUnit } from './unit.js';
export { keyFileOf } from './key-files.js';
