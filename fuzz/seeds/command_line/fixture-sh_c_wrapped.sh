0#!/bin/sh
sh -c "docker run --network host --name probe busybox:1.36 ping -c1 example.com"
bash -ec 'sudo docker run --ipc=host \
  --cap-add SYS_PTRACE debian:12'
CID=$(docker create --read-only --tmpfs /tmp:rw,noexec alpine:3.19)
ssh deploy@prod "docker run -d -p 8080:80 --restart always nginx:1.25"
