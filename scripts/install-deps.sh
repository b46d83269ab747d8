#!/usr/bin/env bash
# Installs every Debian package Troupe needs to build, test and run.
# Idempotent: when everything is present it only asks dpkg, and returns in about a second.
set -euo pipefail

packages=(
  # build toolchain
  build-essential cmake ninja-build ccache clang-format pkg-config
  # libraries (DESIGN.md: CAF, protobuf, LMDB, yaml-cpp, prometheus-cpp, Boost.Test, OpenSSL)
  libcaf-dev libprotobuf-dev protobuf-compiler liblmdb-dev libyaml-cpp-dev
  prometheus-cpp-dev libboost-test-dev libssl-dev
  # fuzzing (make fuzz): clang with libFuzzer and the sanitizer runtimes
  clang libclang-rt-14-dev
  # store benchmark (bench/store): etcd as the peer, driven over gRPC
  libgrpc++-dev protobuf-compiler-grpc etcd-server
)

missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
  [ "$status" = installed ] || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "install-deps: installing ${missing[*]}"
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "install-deps: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
  sudo=sudo
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
