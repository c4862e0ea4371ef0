0#!/bin/sh
docker run --rm -it --privileged --cap-add=SYS_ADMIN --cap-drop ALL -u 0:0 --read-only \
  --security-opt no-new-privileges:true --pid=host --net=host --ipc host --uts=host --userns=host \
  -v /var/run/docker.sock:/var/run/docker.sock -v "$PWD":/src:ro --mount type=bind,src=/,dst=/host \
  --device /dev/fuse --sysctl net.ipv4.ip_forward=1 alpine sh -c 'echo "$(id)"'
sudo podman run $'--cap-add\tX' alpine
nerdctl create --cap-add=NET_ADMIN busybox
sh -c "docker run --privileged alpine"
