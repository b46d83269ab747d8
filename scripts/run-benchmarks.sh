#!/usr/bin/env bash
# Runs every benchmark in bench/ from the repository root. Each prints a table and, as
# its last line, one JSON object. Usage: scripts/run-benchmarks.sh [BUILD_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
"$build"/bench/bench_codec manifests/deployment-definition.yml
# The store: Troupe and etcd under the same write load, side by side.
"$build"/bench/store/bench_store
# One ReplicaSet pass over 10,000 pods from the informer cache (seconds).
"$build"/bench/controlplane/bench_reconcile
# The control plane at scale, beside Kubernetes' published figures (about 15 minutes).
"$build"/bench/controlplane/bench_controlplane
