'use strict';
/**
 * Leaving a container's cgroup. On a real host systemctl only asks systemd, and the service
 * runs in systemd's cgroups whoever asked. The stand-in spawns services itself, so a
 * systemctl run from a container (through nsenter, as etcd-rotate's image does) would leave
 * them in the container's cgroup, and docker or containerd kills everything in it when the
 * container ends.
 * So the stand-in first moves itself into the cgroups of PID 1 (the master's anchor), like
 * systemd's services; what it spawns inherits them. cgroup v1 and v2 alike; only when it is
 * in a container's cgroup, so nothing changes outside the container tests.
 */
const fs = require('node:fs');
const path = require('node:path');

/** docker's and kubelet's cgroups, and `ctr run`'s `/<containerd namespace>/<container id>`. */
const CONTAINER_CGROUP = /\/(docker|containerd|kubepods)[/.-]|^\/(k8s\.io|default|moby)\/[^/]+/;

/** `id:controllers:path` lines of /proc/<pid>/cgroup. */
function cgroupsOf(pid) {
  try {
    return fs
      .readFileSync(`/proc/${pid}/cgroup`, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => {
        const [id, controllers, ...rest] = line.split(':');
        return { id, controllers, path: rest.join(':') };
      });
  } catch {
    return [];
  }
}

/** The directory of a hierarchy under /sys/fs/cgroup (v1: named by its controllers). */
function hierarchyDir(controllers) {
  const root = '/sys/fs/cgroup';
  if (controllers === '') return fs.existsSync(path.join(root, 'unified')) ? path.join(root, 'unified') : root;
  const name = controllers.replace(/^name=/, '');
  const whole = path.join(root, name);
  return fs.existsSync(whole) ? whole : path.join(root, name.split(',')[0]);
}

/** Moves this process into PID 1's cgroups when it runs in a container's. Best effort. */
function leaveContainerCgroup() {
  const own = cgroupsOf('self');
  if (!own.some((c) => CONTAINER_CGROUP.test(c.path))) return;
  for (const target of cgroupsOf(1)) {
    const dir = path.join(hierarchyDir(target.controllers), target.path);
    try {
      fs.writeFileSync(path.join(dir, 'cgroup.procs'), `${process.pid}\n`);
    } catch {
      // A hierarchy that is not mounted or not writable here keeps the container's.
    }
  }
}

module.exports = { leaveContainerCgroup };
