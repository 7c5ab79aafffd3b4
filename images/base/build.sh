#!/usr/bin/env bash
# Builds the base images of etcd-rotate locally, for machines that reach no container
# registry (CI here): a Debian bookworm minbase root filesystem from Debian's mirror with
# openssh-client and util-linux (nsenter), plus this machine's own Node.js 20 binary
# (bookworm packages Node.js 18; the tool needs 20). Imported with `docker import` as
#   etcd-rotate-base:bookworm        runtime: node, ssh, nsenter
#   etcd-rotate-base:bookworm-build  the same plus npm, for the Dockerfile's build stage
# Usage: images/base/build.sh [--mirror URL] [--force]; needs root, debootstrap and docker.
set -euo pipefail

mirror=http://deb.debian.org/debian
force=0
while (($# > 0)); do
  case "$1" in
    --mirror) mirror="$2"; shift 2 ;;
    --force) force=1; shift ;;
    *) echo "build.sh: unknown argument $1 (expected --mirror URL or --force)" >&2; exit 2 ;;
  esac
done

runtime_tag=etcd-rotate-base:bookworm
build_tag=etcd-rotate-base:bookworm-build
if ((force == 0)) && docker image inspect "$runtime_tag" "$build_tag" >/dev/null 2>&1; then
  echo "base: $runtime_tag and $build_tag exist (--force rebuilds them)"
  exit 0
fi

node_bin=$(command -v node)
node_major=$("$node_bin" -p 'process.versions.node.split(".")[0]')
if ((node_major < 20)); then
  echo "base: $node_bin is Node.js $node_major; the image needs 20 or later" >&2
  exit 1
fi
npm_dir=$(dirname "$(dirname "$(readlink -f "$(command -v npm)")")")

work=$(mktemp -d /tmp/etcd-rotate-base.XXXXXX)
trap 'rm -rf "$work"' EXIT
rootfs="$work/rootfs"

echo "base: debootstrap bookworm minbase from $mirror"
debootstrap --variant=minbase --include=openssh-client bookworm "$rootfs" "$mirror" >"$work/debootstrap.log" 2>&1 || {
  tail -20 "$work/debootstrap.log" >&2
  echo "base: debootstrap failed (log above)" >&2
  exit 1
}

# What a runtime image does not need: package caches, documentation, locales.
rm -rf "$rootfs"/var/cache/apt/* "$rootfs"/var/lib/apt/lists/* "$rootfs"/usr/share/doc \
  "$rootfs"/usr/share/man "$rootfs"/usr/share/info "$rootfs"/usr/share/locale "$rootfs"/var/log/*
install -m 0755 "$node_bin" "$rootfs/usr/bin/node"
chroot "$rootfs" /usr/bin/node --version >/dev/null

tar -C "$rootfs" -c . | docker import -c 'ENV LANG=C.UTF-8' - "$runtime_tag" >/dev/null
mkdir -p "$rootfs/usr/lib/node_modules"
cp -a "$npm_dir" "$rootfs/usr/lib/node_modules/npm"
ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$rootfs/usr/bin/npm"
tar -C "$rootfs" -c . | docker import -c 'ENV LANG=C.UTF-8' - "$build_tag" >/dev/null
docker image ls --format '{{.Repository}}:{{.Tag}} {{.Size}}' etcd-rotate-base
