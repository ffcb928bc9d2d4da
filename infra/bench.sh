#!/usr/bin/env bash
# infra/bench.sh: runs gateledger's benchmarks. Kept out of CI: they take minutes and want a
# quiet machine. Each benchmark prints its own figure next to its baseline and the ratio.
# The services come from infra/test.sh --services (started or reused, left running).
#
#   infra/bench.sh              every benchmark
#   infra/bench.sh NAME...      only those benchmarks (names as listed below)
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

# name -> cargo package that holds a [[bench]] target of that name (harness = false).
declare -A BENCHES=(
)

eval "$(infra/test.sh --services)"
selected=("$@")
[ ${#selected[@]} -eq 0 ] && selected=("${!BENCHES[@]}")
if [ ${#selected[@]} -eq 0 ]; then
  echo "no benchmarks are defined yet"
  exit 0
fi
for name in "${selected[@]}"; do
  pkg=${BENCHES[$name]:-}
  [ -n "$pkg" ] || { echo "unknown benchmark: $name (known: ${!BENCHES[*]})" >&2; exit 2; }
  echo "== $name"
  cargo bench --locked -p "$pkg" --bench "$name"
done
