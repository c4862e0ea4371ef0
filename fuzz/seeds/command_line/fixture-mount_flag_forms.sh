0#!/bin/sh
docker run \
  --mount type=bind,source=/etc,target=/host/etc,readonly \
  --mount type=bind,src=/var/run/docker.sock,dst=/var/run/docker.sock \
  --mount source=cache,target=/cache \
  --mount type=tmpfs,destination=/scratch \
  --mount 'type=bind,"source=/srv/a,b",target=/data,ro=true' \
  --tmpfs /run:rw,size=64m \
  -v named:/named:ro \
  --volume=/home:/home \
  alpine:3.19
