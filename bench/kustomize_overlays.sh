#!/usr/bin/env bash
# Times `minpriv scan` on a synthetic Kustomize tree: one base of DEPLOYMENTS Deployments
# (default 40, each with a container missing a seccomp profile) and OVERLAYS overlays (default
# 20), each with a name prefix, a patch file that makes one Deployment privileged and an inline
# JSON 6902 patch. It prints hyperfine's medians for rendering (`kubectl kustomize`, or
# `kustomize build` when on the PATH) against `--no-kustomize`, and the findings of the render.
#
# Usage: bench/kustomize_overlays.sh [--no-build] [DEPLOYMENTS] [OVERLAYS]. Needs kubectl (or
# kustomize), hyperfine and python3. Builds minpriv in release mode unless --no-build.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
root="$(pwd)"
target="${CARGO_TARGET_DIR:-$root/target}"

build=1
numbers=()
for arg in "$@"; do
  case "$arg" in
    --no-build) build=0 ;;
    -h | --help) sed -n '2,9p' "$0"; exit 0 ;;
    [0-9]*) numbers+=("$arg") ;;
    *) echo "unknown option: $arg" >&2; exit 2 ;;
  esac
done
deployments="${numbers[0]:-40}"
overlays="${numbers[1]:-20}"

if [ "$build" = 1 ]; then
  cargo build --release -q -p minpriv
fi
minpriv="$target/release/minpriv"

tree="$(mktemp -d)"
trap 'rm -rf "$tree"' EXIT
python3 - "$tree" "$deployments" "$overlays" <<'PY'
import os, sys
tree, deployments, overlays = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
base = os.path.join(tree, "base")
os.makedirs(base)
names = []
for d in range(deployments):
    name = f"svc{d}"
    names.append(f"{name}.yaml")
    with open(os.path.join(base, f"{name}.yaml"), "w") as f:
        f.write(f"""apiVersion: apps/v1
kind: Deployment
metadata:
  name: {name}
spec:
  template:
    spec:
      containers:
        - name: app
          image: registry.example.com/shop/{name}:1.0
          securityContext:
            runAsNonRoot: true
            runAsUser: 10001
            allowPrivilegeEscalation: false
            readOnlyRootFilesystem: true
            capabilities:
              drop: [ALL]
""")
with open(os.path.join(base, "kustomization.yaml"), "w") as f:
    f.write("resources:\n" + "".join(f"  - {n}\n" for n in names))
for o in range(overlays):
    folder = os.path.join(tree, "overlays", f"env{o}")
    os.makedirs(folder)
    target = f"svc{o % deployments}"
    with open(os.path.join(folder, "privileged.yaml"), "w") as f:
        f.write(f"""apiVersion: apps/v1
kind: Deployment
metadata:
  name: {target}
spec:
  template:
    spec:
      containers:
        - name: app
          securityContext:
            privileged: true
""")
    with open(os.path.join(folder, "kustomization.yaml"), "w") as f:
        f.write(f"""namePrefix: env{o}-
resources:
  - ../../base
patches:
  - path: privileged.yaml
  - target:
      kind: Deployment
      name: {target}
    patch: |-
      - op: add
        path: /spec/template/spec/hostNetwork
        value: true
""")
PY

echo "tree: $deployments Deployments in one base, $overlays overlays"
"$minpriv" scan "$tree" --no-config --format json -o "$tree/out.json" || true
python3 -c "
import json, sys
d = json.load(open('$tree/out.json'))
print('findings:', d['summary']['findings'], 'files:', d['summary']['files'])
" 
hyperfine -N -i -w 1 -r 5 \
  "$minpriv scan $tree --no-config -q" \
  "$minpriv scan $tree --no-config -q --no-kustomize"
