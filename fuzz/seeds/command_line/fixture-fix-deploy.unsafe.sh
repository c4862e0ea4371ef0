0#!/bin/sh
set -eu
# Start the API.
docker run --cap-drop=ALL --security-opt=no-new-privileges --read-only --tmpfs=/tmp -d --name api \
  --user 10001:10001 \
  -p 8080:80 \
  "registry.example/api:1.4"   # pinned

ssh deploy-host 'docker run --cap-drop=ALL --security-opt=no-new-privileges --read-only --tmpfs=/tmp --user=10001:10001 --rm --privileged=false tools:2 fsck'
podman run --cap-drop=ALL --security-opt=no-new-privileges --read-only --tmpfs=/tmp --user=10001:10001 --rm -v "$PWD:/src:ro" builder:1 make
