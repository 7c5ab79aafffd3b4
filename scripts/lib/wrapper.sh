# The body shared by rotate-etcd.sh, rollback-etcd.sh and restart-apiserver.sh. Each script
# carries its own copy (operators copy single files), inlined by images/generate.mjs together
# with the image catalogue; edit this file, not the copies.
#
# The image runs with docker when its daemon answers, else with containerd's ctr (in the
# namespace kubelet uses, so crictl sees the image too).
#
# Environment, for tests and unusual hosts (all passed on to the container and its peers):
#   ETCD_ROTATE_METADATA_URL            the metadata service (default http://100.100.100.200)
#   ETCD_ROTATE_DOCKER_PRIVILEGE_FLAGS  replaces --privileged for docker run
#   ETCD_ROTATE_CTR_PRIVILEGE_FLAGS     replaces --privileged for ctr run
#   ETCD_ROTATE_CONTAINERD_ADDRESS      containerd's socket (default /run/containerd/containerd.sock)
#   ETCD_ROTATE_CTR_PULL_FLAGS          extra flags of ctr images pull (e.g. --plain-http)
#   ETCD_ROTATE_ECS_ENDPOINT            the ECS API endpoint (--transport cloud-assistant)
# Access keys in the environment are not passed on: the container's configuration would keep
# them; in the container, the ECS API is called with the instance's RAM role.

# Arrays that may be empty expand as ${a[@]+"${a[@]}"}: bash before 4.4 (CentOS 7, Alibaba Cloud
# Linux 2) calls an empty array unbound under set -u.

er_fail() {
  echo "$ER_SCRIPT: $*" >&2
  exit 1
}

er_help() {
  cat <<HELP
Usage: bash $ER_SCRIPT [--region REGION | --image IMAGE] [etcd-rotate flags...]

Runs "etcd-rotate $ER_COMMAND" from the etcd-rotate image on this master, as root.
  --region REGION  the Alibaba Cloud region (default: read from the instance metadata service)
  --image IMAGE    use this image instead of the regional one (pulled when missing)
Every other flag goes to etcd-rotate; "--help" after "--" shows its own help.
Regions: $ER_REGIONS
HELP
}

# Prints the region from the metadata service, or fails saying how to pass it instead. A
# session token is asked for first (instances may enforce the hardened mode), as the tool does.
er_metadata_region() {
  local base=${ETCD_ROTATE_METADATA_URL:-http://100.100.100.200}
  local url=${base%/}/latest/meta-data/region-id
  local region='' error='' token='' status=0 header=()
  if command -v curl >/dev/null 2>&1; then
    token=$(curl -fsS -X PUT -H 'X-aliyun-ecs-metadata-token-ttl-seconds: 60' \
      --connect-timeout 2 --max-time 3 "${base%/}/latest/api/token" 2>&1) || status=$?
    case $status in
      0) header=(-H "X-aliyun-ecs-metadata-token: $token") ;;
      6 | 7 | 28) error=$token ;; # cannot resolve, refused, timed out: the GET would fail alike
    esac
    if [[ -z $error ]]; then
      region=$(curl -fsS ${header[@]+"${header[@]}"} --connect-timeout 2 --max-time 3 "$url" 2>&1) || error=$region
    fi
  elif command -v wget >/dev/null 2>&1; then
    region=$(wget -q -T 3 -t 1 -O - "$url" 2>&1) || error=${region:-wget failed}
  else
    error="neither curl nor wget is installed"
  fi
  if [[ -n $error ]]; then
    er_fail "cannot read the region from the metadata service at $url (${error//$'\n'/ }); pass --region REGION (one of: $ER_REGIONS); nothing was changed"
  fi
  printf '%s\n' "$region"
}

# The last line of a command's output, on one line, for messages.
er_last_line() {
  printf '%s' "$1" | tail -n 1
}

# Sets er_runtime to docker when docker's daemon answers, else to containerd when ctr reaches
# containerd; fails saying what each one answered otherwise.
er_pick_runtime() {
  local docker_state ctr_state answer
  if ! command -v docker >/dev/null 2>&1; then
    docker_state=missing
  elif answer=$(docker version --format '{{.Server.Version}}' 2>&1); then
    er_runtime=docker
    return 0
  else
    docker_state="its daemon does not answer ($(er_last_line "$answer"))"
  fi

  if ! command -v ctr >/dev/null 2>&1; then
    ctr_state=missing
  elif [[ ! -S $ER_CONTAINERD_ADDRESS ]]; then
    ctr_state="containerd does not answer at $ER_CONTAINERD_ADDRESS (no socket there)"
  elif answer=$(ctr --address "$ER_CONTAINERD_ADDRESS" --connect-timeout 3s --timeout 10s version 2>&1); then
    er_runtime=containerd
    return 0
  else
    ctr_state="containerd does not answer at $ER_CONTAINERD_ADDRESS ($(er_last_line "$answer"))"
  fi

  local where="on $(hostname)"
  if [[ $docker_state == missing && $ctr_state == missing ]]; then
    er_fail "neither docker nor containerd's ctr is installed $where (not found in PATH=$PATH); this wrapper runs etcd-rotate through docker or containerd: install one, or run etcd-rotate directly; nothing was changed"
  elif [[ $ctr_state == missing ]]; then
    er_fail "docker is installed $where but $docker_state; start it (systemctl start docker) and run again; nothing was changed"
  elif [[ $docker_state == missing ]]; then
    er_fail "docker is not installed $where and $ctr_state; start containerd (systemctl start containerd) and run again; nothing was changed"
  fi
  er_fail "no container runtime answers $where: docker: $docker_state; ctr: $ctr_state; start docker or containerd (systemctl start docker / containerd) and run again; nothing was changed"
}

# ctr against this host's containerd, in the namespace kubelet uses.
er_ctr() {
  ctr --address "$ER_CONTAINERD_ADDRESS" --namespace "$ER_CONTAINERD_NAMESPACE" "$@"
}

# Whether the runtime has the image `ref`.
er_has_image() {
  if [[ $er_runtime == docker ]]; then
    docker image inspect "$1" >/dev/null 2>&1
  else
    [[ -n $(er_ctr images ls -q "name==$1" 2>/dev/null) ]]
  fi
}

# Pulls `ref` with the runtime; prints what it said.
er_pull_image() {
  if [[ $er_runtime == docker ]]; then
    docker pull "$1" 2>&1
  else
    local flags=()
    read -r -a flags <<<"${ETCD_ROTATE_CTR_PULL_FLAGS:-}"
    er_ctr images pull ${flags[@]+"${flags[@]}"} "$1" 2>&1
  fi
}

# Prints the first of the given references that is present or can be pulled.
er_pull() {
  local ref output failures=()
  for ref in "$@"; do
    if er_has_image "$ref"; then
      printf '%s\n' "$ref"
      return 0
    fi
    echo "$ER_SCRIPT: pulling $ref" >&2
    if output=$(er_pull_image "$ref"); then
      printf '%s\n' "$ref"
      return 0
    fi
    failures+=("$ref: $(er_last_line "$output")")
  done
  local joined
  joined=$(printf '%s; ' "${failures[@]}")
  er_fail "cannot pull the etcd-rotate image with $er_runtime (${joined%; }); check that this master reaches the registry, or pass --image with an image it has; nothing was changed"
}

# Sets er_mount_args to the runtime's flags for the catalogue's mounts that exist on this host.
er_mount_args() {
  er_mount_args=()
  local spec path mode create also target
  for spec in "${ER_MOUNTS[@]}"; do
    IFS='|' read -r path mode create also <<<"$spec"
    if [[ $create == create ]]; then
      mkdir -p -m 0700 "$path"
    fi
    [[ -e $path ]] || continue
    for target in "$ER_HOST_ROOT$path" ${also:+"$also"}; do
      if [[ $er_runtime == docker ]]; then
        er_mount_args+=(-v "$path:$target:$mode")
      else
        er_mount_args+=(--mount "type=bind,src=$path,dst=$target,options=rbind:$mode")
      fi
    done
  done
}

# Sets er_env_args to the runtime's flag ($1) for each override the tool reads itself, when set.
er_env_args() {
  er_env_args=()
  local name
  for name in ETCD_ROTATE_METADATA_URL ETCD_ROTATE_ECS_ENDPOINT; do
    if [[ -n ${!name:-} ]]; then er_env_args+=("$1" "$name=${!name}"); fi
  done
}

# Runs the image with docker: privileged, the host's PID, network, UTS and IPC namespaces.
er_run_docker() {
  local image=$1
  shift
  local privilege=() tty=()
  read -r -a privilege <<<"${ETCD_ROTATE_DOCKER_PRIVILEGE_FLAGS:---privileged}"
  if [[ -t 0 && -t 1 ]]; then tty=(-t); fi
  exec docker run --rm -i ${tty[@]+"${tty[@]}"} --name "etcd-rotate-$ER_COMMAND-$$" \
    "${privilege[@]}" --pid host --network host --uts host --ipc host \
    -e "ETCD_ROTATE_IMAGE=$image" -e ETCD_ROTATE_CONTAINERIZED=1 -e ETCD_ROTATE_CONTAINER_RUNTIME=docker \
    -e "ETCD_ROTATE_DOCKER_PRIVILEGE_FLAGS=${ETCD_ROTATE_DOCKER_PRIVILEGE_FLAGS:-}" \
    ${er_env_args[@]+"${er_env_args[@]}"} ${er_mount_args[@]+"${er_mount_args[@]}"} "$image" "$@"
}

# Runs the image with ctr, the same way: ctr joins PID 1's namespaces for the host's ones, and
# runs the process it is given, so the image's entrypoint comes first.
er_run_ctr() {
  local image=$1
  shift
  local privilege=() tty=() ns
  read -r -a privilege <<<"${ETCD_ROTATE_CTR_PRIVILEGE_FLAGS:---privileged}"
  if [[ -t 0 && -t 1 ]]; then tty=(-t); fi
  local namespaces=()
  for ns in pid uts ipc; do namespaces+=(--with-ns "$ns:/proc/1/ns/$ns"); done
  exec ctr --address "$ER_CONTAINERD_ADDRESS" --namespace "$ER_CONTAINERD_NAMESPACE" \
    run --rm ${tty[@]+"${tty[@]}"} "${privilege[@]}" --net-host "${namespaces[@]}" \
    --env "ETCD_ROTATE_IMAGE=$image" --env ETCD_ROTATE_CONTAINERIZED=1 \
    --env ETCD_ROTATE_CONTAINER_RUNTIME=containerd \
    --env "ETCD_ROTATE_CONTAINERD_ADDRESS=$ER_CONTAINERD_ADDRESS" \
    --env "ETCD_ROTATE_CTR_PRIVILEGE_FLAGS=${ETCD_ROTATE_CTR_PRIVILEGE_FLAGS:-}" \
    --env "ETCD_ROTATE_CTR_PULL_FLAGS=${ETCD_ROTATE_CTR_PULL_FLAGS:-}" \
    ${er_env_args[@]+"${er_env_args[@]}"} ${er_mount_args[@]+"${er_mount_args[@]}"} "$image" "etcd-rotate-$ER_COMMAND-$$" "${ER_ENTRYPOINT[@]}" "$@"
}

er_main() {
  local region='' image='' pass=()
  while (($# > 0)); do
    case $1 in
      --region | --image)
        (($# >= 2)) || er_fail "$1 needs a value; nothing was changed"
        if [[ $1 == --region ]]; then region=$2; else image=$2; fi
        shift 2
        ;;
      --region=*) region=${1#*=}; shift ;;
      --image=*) image=${1#*=}; shift ;;
      -h | --help) er_help; return 0 ;;
      --) shift; pass+=("$@"); break ;;
      *) pass+=("$1"); shift ;;
    esac
  done

  if [[ $(id -u) != 0 ]]; then
    er_fail "must run as root (running as $(id -un)); run \"sudo bash $ER_SCRIPT\"; nothing was changed"
  fi
  ER_CONTAINERD_ADDRESS=${ETCD_ROTATE_CONTAINERD_ADDRESS:-/run/containerd/containerd.sock}
  er_pick_runtime

  local refs=()
  if [[ -n $image ]]; then
    refs=("$image")
  else
    [[ -n $region ]] || region=$(er_metadata_region)
    local registries
    if ! registries=$(er_registries "$region"); then
      er_fail "unknown region \"$region\": no etcd-rotate image is catalogued for it; pass --region with one of: $ER_REGIONS (or --image IMAGE); nothing was changed"
    fi
    local registry
    for registry in $registries; do
      refs+=("$registry/$ER_REPOSITORY@$ER_DIGEST")
    done
  fi
  image=$(er_pull "${refs[@]}")
  er_mount_args

  if [[ $er_runtime == docker ]]; then
    er_env_args -e
    er_run_docker "$image" "$ER_COMMAND" --root "$ER_HOST_ROOT" ${pass[@]+"${pass[@]}"}
  fi
  er_env_args --env
  er_run_ctr "$image" "$ER_COMMAND" --root "$ER_HOST_ROOT" ${pass[@]+"${pass[@]}"}
}
