#!/usr/bin/env bash
# Times `minpriv minimize` on an app that needs 3 capabilities (CHOWN, DAC_OVERRIDE, MKNOD) out
# of Docker's default 14, and prints the container runs and the wall time.
#
# The app is a shell script in an image built FROM scratch with /usr/bin/busybox
# (busybox-static): it gives a file away (CHOWN), reads a mode-000 file of another user
# (DAC_OVERRIDE) and makes a device node (MKNOD). The search runs with --jobs 1 (the fewest
# runs) and --jobs 4 (the shortest wall time); for comparison it also prints what trying the 14
# capabilities one at a time would cost in runs. The image is removed on exit, whatever happens;
# minpriv removes its own containers.
#
# Usage: bench/minimize_3_caps.sh [--no-build]. Needs a Docker engine, the docker CLI,
# busybox-static and python3. Builds minpriv in release mode unless --no-build.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
root="$(pwd)"
target="${CARGO_TARGET_DIR:-$root/target}"

build=1
for arg in "$@"; do
  case "$arg" in
    --no-build) build=0 ;;
    -h | --help) sed -n '2,14p' "$0"; exit 0 ;;
    *) echo "unknown option: $arg" >&2; exit 2 ;;
  esac
done

IMAGE="minpriv-bench-3caps:$$"
context="$(mktemp -d)"
cleanup() {
  docker rmi -f "$IMAGE" >/dev/null 2>&1 || true
  rm -rf "$context"
}
trap cleanup EXIT INT TERM

if ((build)); then
  cargo build --release -q -p minpriv
fi
minpriv="$target/release/minpriv"
[[ -x $minpriv ]] || { echo "no $minpriv (build it, or drop --no-build)" >&2; exit 2; }

mkdir -p "$context/bin" "$context/app"
cp /usr/bin/busybox "$context/bin/busybox"
cat >"$context/app/three.sh" <<'EOF'
touch /tmp/f && chown 1234:1234 /tmp/f && cat /secret/key > /dev/null && mknod /tmp/null c 1 3
EOF
cat >"$context/Dockerfile" <<'EOF'
FROM scratch
COPY bin/busybox /bin/busybox
RUN ["/bin/busybox", "--install", "-s", "/bin"]
RUN mkdir -p /etc /tmp /secret && chmod 1777 /tmp && echo 'root:x:0:0:root:/root:/bin/sh' > /etc/passwd && echo s3cret > /secret/key && chown 1000:1000 /secret/key && chmod 000 /secret/key
COPY app/ /app/
EOF
docker build -q -t "$IMAGE" "$context" >/dev/null

printf '%-8s %-28s %6s %8s %10s %10s\n' jobs capabilities runs "search" "bound" "wall (s)"
for jobs in 1 4; do
  out="$context/out-$jobs.json"
  start=$(date +%s.%N)
  "$minpriv" minimize "$IMAGE" --quiet --format json --jobs "$jobs" -- sh /app/three.sh >"$out"
  end=$(date +%s.%N)
  python3 - "$out" "$jobs" "$start" "$end" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))
s = r["capability_search"]
caps = ",".join(r["capabilities"])
wall = float(sys.argv[4]) - float(sys.argv[3])
print(f'{sys.argv[2]:<8} {caps:<28} {r["runs"]:>6} {s["tests"]:>8} {s["bound"]:>10} {wall:>10.2f}')
EOF
done
echo
echo "runs: every container run (baseline, hardened steps, the search, the low-port check);"
echo "search: runs of the capability search alone; bound: 1 + 2*k*ceil(log2 n) for k=3, n=14."
echo "One capability at a time would cost 14 search runs (plus the same fixed steps)."
