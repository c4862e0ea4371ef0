#!/usr/bin/env bash
# Starts the CI runner on a build host.
set -euo pipefail

# The runner builds images by talking to the host's Docker daemon through its socket, and runs
# privileged "to make docker-in-docker work". Either one alone hands over the host.
docker run -d --name ci-runner --restart unless-stopped \
  --privileged \
  -v /var/run/docker.sock:/var/run/docker.sock \
  -v "$HOME/.ci-runner:/etc/runner" \
  example/ci-runner:3.2
