#!/usr/bin/env bash
# Times `minpriv-engine`'s live audit of 200 running containers.
#
# Starts 200 labelled busybox containers (`sleep 600`, `--network none`) from an image built
# FROM scratch with /usr/bin/busybox (busybox-static), runs the audit example 3 times, prints the
# median wall time, and removes the containers and the image on exit, whatever happens.
#
# Usage: bench/engine_200_containers.sh [COUNT]   (default 200). Needs a Docker engine, the
# docker CLI and busybox-static. Builds the example in release mode.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

COUNT="${1:-200}"
RUN_ID="bench-$$"
LABEL="minpriv.bench=${RUN_ID}"
IMAGE="minpriv-bench-busybox:${RUN_ID}"
CONTEXT="$(mktemp -d)"

cleanup() {
    local ids
    ids="$(docker ps -aq --filter "label=${LABEL}" 2>/dev/null || true)"
    if [ -n "${ids}" ]; then
        # shellcheck disable=SC2086
        docker rm -f ${ids} >/dev/null 2>&1 || true
    fi
    docker rmi -f "${IMAGE}" >/dev/null 2>&1 || true
    rm -rf "${CONTEXT}"
}
trap cleanup EXIT

for tool in docker cargo; do
    command -v "${tool}" >/dev/null || { echo "error: ${tool} not found" >&2; exit 2; }
done
[ -x /usr/bin/busybox ] || { echo "error: /usr/bin/busybox (busybox-static) not found" >&2; exit 2; }
docker version >/dev/null || { echo "error: no Docker engine answers" >&2; exit 2; }

echo "== building the audit example (release)"
cargo build --release -q -p minpriv-engine --example audit
AUDIT="target/release/examples/audit"

echo "== building ${IMAGE}"
mkdir -p "${CONTEXT}/bin"
cp /usr/bin/busybox "${CONTEXT}/bin/busybox"
printf 'FROM scratch\nCOPY bin/busybox /bin/busybox\nRUN ["/bin/busybox","--install","-s","/bin"]\n' \
    > "${CONTEXT}/Dockerfile"
docker build -q --label "${LABEL}" -t "${IMAGE}" "${CONTEXT}" >/dev/null

echo "== starting ${COUNT} containers"
start=$(date +%s.%N)
for i in $(seq 1 "${COUNT}"); do
    echo "docker run -d --label minpriv.test=1 --label ${LABEL} --network none --name ${RUN_ID}-${i} ${IMAGE} sleep 600"
done | xargs -P 8 -I{} sh -c '{} >/dev/null'
running=$(docker ps -q --filter "label=${LABEL}" | wc -l)
echo "   ${running} running after $(awk "BEGIN{print $(date +%s.%N) - ${start}}") s"
[ "${running}" -eq "${COUNT}" ] || { echo "error: only ${running} of ${COUNT} started" >&2; exit 1; }

echo "== auditing (3 runs; every running container on the engine is audited)"
times=()
for run in 1 2 3; do
    t0=$(date +%s.%N)
    audited=$("${AUDIT}" 2>/dev/null | wc -l)
    t1=$(date +%s.%N)
    t=$(awk "BEGIN{printf \"%.3f\", ${t1} - ${t0}}")
    times+=("${t}")
    echo "   run ${run}: ${audited} containers in ${t} s"
done
median=$(printf '%s\n' "${times[@]}" | sort -n | sed -n 2p)
echo "median of 3: ${median} s for ${COUNT} containers (plus whatever else was running)"
