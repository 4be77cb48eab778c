#!/usr/bin/env bash
# The README's "A whole trade by hand" walkthrough, run as written: the ```sh block under that
# heading is cut out of README.md and executed against a coordinatord on the embedded defaults
# (as `ops/run` starts it), from a scratch directory laid out like the repository root
# (build/ and ops/ linked in, data/ fresh). The trade must end in status 14.
#   walkthrough_test.sh SOURCE_DIR BINARY_DIR
set -euo pipefail
src=$1
bin=$2
work=$(mktemp -d)
coord_pid=
cleanup() {
  if [ -n "$coord_pid" ]; then kill "$coord_pid" 2>/dev/null || true; wait "$coord_pid" 2>/dev/null || true; fi
  if [ "${KEEP:-0}" = 1 ] || [ "${failed:-0}" = 1 ]; then echo "kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
failed=1

mkdir -p "$work/build"
ln -s "$bin/bin" "$work/build/bin"
ln -s "$src/ops" "$work/ops"
cd "$work"

# The block after the heading, between its ```sh and ``` lines.
awk '/^## A whole trade by hand/{on=1} on&&/^```sh$/{inblock=1; next} inblock&&/^```$/{exit} inblock' \
  "$src/README.md" > walkthrough.sh
grep -q 'API=http://127.0.0.1:12596' walkthrough.sh || { echo "README walkthrough not found or changed shape"; exit 1; }

# The coordinator as ops/run starts it, on a free port instead of 12596.
build/bin/coordinatord --data-dir ./data --listen 127.0.0.1:0 > coordinatord.out 2> coordinatord.log &
coord_pid=$!
api=
for _ in $(seq 1 300); do
  api=$(sed -n 's/^coordinatord: serving the RoboSats API on //p' coordinatord.out | head -1)
  [ -n "$api" ] && break
  kill -0 "$coord_pid" 2>/dev/null || { echo "coordinatord exited:"; tail -20 coordinatord.log; exit 1; }
  sleep 0.1
done
[ -n "$api" ] || { echo "coordinatord did not start"; tail -20 coordinatord.log; exit 1; }
sed -i "s|API=http://127.0.0.1:12596|API=$api|" walkthrough.sh

bash -x walkthrough.sh > walkthrough.out 2> walkthrough.trace || { echo "walkthrough failed:"; tail -30 walkthrough.trace; exit 1; }
# Its last step prints the status; asked again here, independently of the walkthrough's output.
status=$(curl -s -H "Authorization: $(ops/robot-header bob)" "$api/api/order/?order_id=1" |
         python3 -c 'import json,sys; print(json.load(sys.stdin).get("status", ""))')
if [ "$status" != 14 ]; then
  echo "the walkthrough ended in status '${status}', not 14; its output:"
  cat walkthrough.out
  exit 1
fi
failed=0
echo "README walkthrough: trade reached status 14"
