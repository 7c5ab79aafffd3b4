#!/usr/bin/env bash
# Issues the ACK etcd certificate set with the openssl CLI, one step after
# another, the way an installer script does: for each certificate genrsa 2048,
# req, then x509 with an extfile carrying the same extensions as the library.
# Usage: openssl-issue.sh <output-dir> <member-count>
set -euo pipefail

out=${1:?usage: openssl-issue.sh <output-dir> <member-count>}
count=${2:?usage: openssl-issue.sh <output-dir> <member-count>}
days=18250 # 50 years of 365 days, the installer's 438000h
mkdir -p -- "$out"
cd -- "$out"

cat > ca.ext <<'EXT'
basicConstraints=critical,CA:TRUE
keyUsage=critical,digitalSignature,keyCertSign,cRLSign
subjectKeyIdentifier=hash
EXT

leaf_ext() { # <extendedKeyUsage> [subjectAltName]
  printf '%s\n' 'basicConstraints=critical,CA:FALSE' \
    'keyUsage=critical,digitalSignature,keyEncipherment' \
    "extendedKeyUsage=$1" 'subjectKeyIdentifier=hash' 'authorityKeyIdentifier=keyid'
  if [ -n "${2:-}" ]; then printf 'subjectAltName=%s\n' "$2"; fi
}

issue_ca() { # <file> <common name>
  openssl genrsa -out "$1-key.pem" 2048 2>/dev/null
  openssl req -new -key "$1-key.pem" -subj "/CN=$2" -out "$1.csr"
  openssl x509 -req -in "$1.csr" -signkey "$1-key.pem" -days "$days" -sha256 \
    -extfile ca.ext -out "$1.pem" 2>/dev/null
}

issue_leaf() { # <file> <common name> <ca file> <extfile>
  openssl genrsa -out "$1-key.pem" 2048 2>/dev/null
  openssl req -new -key "$1-key.pem" -subj "/CN=$2" -out "$1.csr"
  openssl x509 -req -in "$1.csr" -CA "$3.pem" -CAkey "$3-key.pem" -days "$days" -sha256 \
    -extfile "$4" -out "$1.pem" 2>/dev/null
}

issue_ca ca CA
issue_ca peer-ca Peer-CA

server_sans=""
for i in $(seq 1 "$count"); do server_sans+="IP:192.168.0.$i,"; done
leaf_ext serverAuth,clientAuth "${server_sans}IP:127.0.0.1,DNS:localhost" > server.ext
leaf_ext clientAuth > client.ext
issue_leaf etcd-server etcd-server ca server.ext
issue_leaf etcd-client etcd-client ca client.ext

for i in $(seq 1 "$count"); do
  ip="192.168.0.$i"
  name="$ip-name-$i"
  leaf_ext serverAuth,clientAuth "IP:$ip" > "$name.ext"
  issue_leaf "$name" "$name" peer-ca "$name.ext"
done
