0#!/usr/bin/env bash
set -euo pipefail
IMAGE="ghcr.io/acme/app:2.0"
docker run --name "web app" -v "$HOME/.config/app:/config" --user='nobody' \
  --security-opt "seccomp=unconfined" -e 'GREETING=hello world' "$IMAGE" serve
docker run $'--cap-add=SYS_ADMIN' --device="/dev/fuse" 'alpine:3.19'
