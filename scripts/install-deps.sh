#!/usr/bin/env bash
# Installs every Debian package Astacus needs to build, run and test. Idempotent; run as root.
set -euo pipefail

PACKAGES=(
  build-essential cmake ninja-build pkg-config git ca-certificates
  nlohmann-json3-dev libyaml-cpp-dev libcli11-dev libspdlog-dev libfmt-dev
  libcpp-httplib-dev libcurl4-openssl-dev libssl-dev
  libzstd-dev libsnappy-dev liblzma-dev libsqlite3-dev libexpected-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  zstd xz-utils python3 curl
  etcd-server etcd-client restic protobuf-compiler libprotobuf-dev
)
# Node.js: the machine image may ship its own build (with npm); only add Debian's when absent.
command -v npm >/dev/null 2>&1 || PACKAGES+=(nodejs npm)

# npm test servers (real S3 and Azure Blob emulators), pinned, installed into .tools/.
NPM_PACKAGES=(s3rver@3.7.1 azurite@3.37.0)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if ((${#missing[@]})); then
  echo "install-deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  echo "install-deps: all packages present"
fi

root=$(cd "$(dirname "$0")/.." && pwd)
tools="$root/.tools"
need_npm=0
for p in "${NPM_PACKAGES[@]}"; do
  [ -x "$tools/node_modules/.bin/${p%@*}" ] || need_npm=1
done
if ((need_npm)); then
  echo "install-deps: npm install ${NPM_PACKAGES[*]} into $tools"
  mkdir -p "$tools"
  npm install --prefix "$tools" --no-audit --no-fund --loglevel=error "${NPM_PACKAGES[@]}"
else
  echo "install-deps: npm test servers present"
fi
