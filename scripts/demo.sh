#!/usr/bin/env bash
# The main job on an embedded default: a local 3-node cluster on 127.0.0.1 backing up to a
# local-directory storage (zstd), then list, wipe, restore, and prove every file came back
# byte-identical with its mtime. Servers are stopped on exit, even on failure.
set -euo pipefail
cd "$(dirname "$0")/.."
ASTACUS=${ASTACUS:-$PWD/build/src/app/astacus}
BASE_PORT=${BASE_PORT:-5515}
WORK=$(mktemp -d /tmp/astacus-demo-XXXXXX)
PIDS=()

cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT

echo "== demo work directory: $WORK"
mkdir -p "$WORK/storage"
for i in 0 1 2; do
  mkdir -p "$WORK/node$i/root"
  nodes=""
  for j in 0 1 2; do nodes+="    - url: http://127.0.0.1:$((BASE_PORT + j))/node"$'\n'; done
  cat > "$WORK/node$i/astacus.yaml" <<YAML
coordinator:
  plugin: files
  plugin_config:
    root_globs: ["**"]
  nodes:
$nodes  poll:
    delay_start: 0.2
    delay_max: 2
node:
  root: $WORK/node$i/root
  root_link: $WORK/node$i/link
  db_path: $WORK/node$i/db
object_storage:
  temporary_directory: $WORK/node$i/tmp
  default_storage: local
  compression:
    algorithm: zstd
  storages:
    local:
      storage_type: local
      directory: $WORK/storage
uvicorn:
  host: 127.0.0.1
  port: $((BASE_PORT + i))
  log_level: warning
YAML
done

echo "== sample data"
python3 - "$WORK" <<'PY'
import os, random, sys
work = sys.argv[1]
rng = random.Random(42)
def put(node, rel, data, mtime_ns):
    path = os.path.join(work, f"node{node}", "root", rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)
    os.utime(path, ns=(mtime_ns, mtime_ns))
t = 1700000000123456789
common = rng.randbytes(256 * 1024)
put(0, "empty.dat", b"", t)
put(0, "sizes/199.bin", rng.randbytes(199), t + 1)
put(0, "sizes/200.bin", rng.randbytes(200), t + 2)
put(0, "sizes/201.bin", rng.randbytes(201), t + 3)
put(0, "nested/a/b/c/deep.txt", b"astacus " * 20000, t + 4)
put(0, "big/random-4m.bin", rng.randbytes(4 * 1024 * 1024), t + 5)
put(0, "shared/common.bin", common, t + 6)
put(1, "shared/common.bin", common, t + 7)
put(1, "empty-too.dat", b"", t + 8)
put(1, "big/random-2m.bin", rng.randbytes(2 * 1024 * 1024), t + 9)
put(2, "logs/app.log", b"line\n" * 100000, t + 10)
put(2, "x/y/z/small.txt", b"hello\n", t + 11)
PY

fingerprint() {
  (cd "$WORK" && for i in 0 1 2; do
     (cd "node$i/root" && find . -type f -not -path './.astacus/*' -printf "node$i/%P %s %T@\n" | sort)
     (cd "node$i/root" && find . -type f -not -path './.astacus/*' -print0 | sort -z | xargs -0 -r sha256sum | sed "s#  ./#  node$i/#")
   done)
}
fingerprint > "$WORK/before.txt"

echo "== starting 3 servers on 127.0.0.1:$BASE_PORT-$((BASE_PORT + 2))"
for i in 0 1 2; do
  "$ASTACUS" server -c "$WORK/node$i/astacus.yaml" > "$WORK/node$i/server.log" 2>&1 &
  PIDS+=($!)
done
for i in 0 1 2; do
  for _ in $(seq 100); do
    curl -sf "http://127.0.0.1:$((BASE_PORT + i))/" >/dev/null 2>&1 && break
    sleep 0.1
  done
done

URL="http://127.0.0.1:$BASE_PORT"
echo "== astacus backup"
"$ASTACUS" -u "$URL" -w 60 backup
echo "== astacus list"
"$ASTACUS" -u "$URL" list
echo "== stored: $(ls "$WORK/storage/data" | grep -vc metadata) blobs, $(ls "$WORK/storage/json" | grep -vc metadata) manifest"
echo "== wiping every node root"
for i in 0 1 2; do find "$WORK/node$i/root" -mindepth 1 -delete; done
echo "== astacus restore"
"$ASTACUS" -u "$URL" -w 60 restore
fingerprint > "$WORK/after.txt"
if diff -u "$WORK/before.txt" "$WORK/after.txt"; then
  echo "== OK: all $(grep -c ' [0-9]*\.[0-9]*$' "$WORK/before.txt") files restored byte-identical with their mtimes"
else
  echo "== FAILED: restored files differ (see diff above)"
  exit 1
fi
