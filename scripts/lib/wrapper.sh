# The body shared by rotate-etcd.sh, rollback-etcd.sh and restart-apiserver.sh. Each script
# carries its own copy (operators copy single files), inlined by images/generate.mjs together
# with the image catalogue; edit this file, not the copies.
#
# Environment, for tests and unusual hosts:
#   ETCD_ROTATE_METADATA_URL            the metadata service (default http://100.100.100.200)
#   ETCD_ROTATE_DOCKER_PRIVILEGE_FLAGS  replaces --privileged (passed on to the peers too)

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
      region=$(curl -fsS "${header[@]}" --connect-timeout 2 --max-time 3 "$url" 2>&1) || error=$region
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

# Fails unless docker is installed and its daemon answers.
er_check_docker() {
  if ! command -v docker >/dev/null 2>&1; then
    er_fail "docker is not installed on $(hostname) (not found in PATH=$PATH); this wrapper runs etcd-rotate through docker: install docker, or run etcd-rotate directly; nothing was changed"
  fi
  local answer
  if ! answer=$(docker version --format '{{.Server.Version}}' 2>&1); then
    er_fail "docker is installed but its daemon does not answer ($(printf '%s' "$answer" | tail -n 1)); start it (systemctl start docker) and run again; nothing was changed"
  fi
}

# Prints the first of the given references that is present or can be pulled.
er_pull() {
  local ref output failures=()
  for ref in "$@"; do
    if docker image inspect "$ref" >/dev/null 2>&1; then
      printf '%s\n' "$ref"
      return 0
    fi
    echo "$ER_SCRIPT: pulling $ref" >&2
    if output=$(docker pull "$ref" 2>&1); then
      printf '%s\n' "$ref"
      return 0
    fi
    failures+=("$ref: $(printf '%s' "$output" | tail -n 1)")
  done
  local joined
  joined=$(printf '%s; ' "${failures[@]}")
  er_fail "cannot pull the etcd-rotate image (${joined%; }); check that this master reaches the registry, or pass --image with an image it has; nothing was changed"
}

# Sets er_mount_args to the -v flags of the catalogue's mounts that exist on this host.
er_mount_args() {
  er_mount_args=()
  local spec path mode create also
  for spec in "${ER_MOUNTS[@]}"; do
    IFS='|' read -r path mode create also <<<"$spec"
    if [[ $create == create ]]; then
      mkdir -p -m 0700 "$path"
    fi
    [[ -e $path ]] || continue
    er_mount_args+=(-v "$path:$ER_HOST_ROOT$path:$mode")
    if [[ -n $also ]]; then
      er_mount_args+=(-v "$path:$also:$mode")
    fi
  done
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
  er_check_docker

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

  local privilege=()
  read -r -a privilege <<<"${ETCD_ROTATE_DOCKER_PRIVILEGE_FLAGS:---privileged}"
  local tty=()
  if [[ -t 0 && -t 1 ]]; then tty=(-t); fi
  er_mount_args

  exec docker run --rm -i "${tty[@]}" --name "etcd-rotate-$ER_COMMAND-$$" \
    "${privilege[@]}" --pid host --network host --uts host --ipc host \
    -e "ETCD_ROTATE_IMAGE=$image" -e ETCD_ROTATE_CONTAINERIZED=1 \
    -e "ETCD_ROTATE_DOCKER_PRIVILEGE_FLAGS=${ETCD_ROTATE_DOCKER_PRIVILEGE_FLAGS:-}" \
    "${er_mount_args[@]}" "$image" "$ER_COMMAND" --root "$ER_HOST_ROOT" "${pass[@]}"
}
