#!/usr/bin/env bash
# Benchmarks Astacus against restic 0.14 and this machine's hardware floor, in one run on the
# same seeded dataset (../shared/spec/benchmarks.md; see bench/README.md). Builds astacus into
# $BUILD_DIR (default build/), then runs bench/run_bench.py, which prints the table and writes
# the Markdown block (default bench/results.md).
#   scripts/bench.sh [--scale S] [--runs N] [--out FILE] [--small-files N] [--encrypt]
#                    [--client http|cli] [--micro] [--no-build] [other run_bench.py options]
# --micro also builds and runs astacus_micro_bench first; --no-build uses the existing binary.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build}
build=1
micro=0
args=()
for a in "$@"; do
  case "$a" in
    --no-build) build=0 ;;
    --micro) micro=1 ;;
    -h|--help) sed -n '2,8p' "$0"; exec python3 bench/run_bench.py --help ;;
    *) args+=("$a") ;;
  esac
done
if (( build )); then
  targets=(astacus)
  (( micro )) && targets+=(astacus_micro_bench)
  cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DASTACUS_BUILD_BENCH=ON >/dev/null
  ninja -C "$BUILD_DIR" "${targets[@]}"
fi
if (( micro )); then
  "$BUILD_DIR/bench/astacus_micro_bench"
fi
exec python3 bench/run_bench.py --astacus "$BUILD_DIR/src/app/astacus" "${args[@]}"
