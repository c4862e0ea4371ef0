0#!/bin/sh
docker run --security-opt no-new-privileges alpine
docker run --security-opt no-new-privileges:true --security-opt=seccomp=/etc/docker/seccomp.json alpine
docker run --security-opt no-new-privileges=false --security-opt apparmor=unconfined alpine
docker run --security-opt seccomp:unconfined --security-opt apparmor=my-profile alpine
docker run --security-opt label=disable --security-opt label:type:spc_t alpine
docker run --security-opt label=user:system_u --security-opt label=role:system_r --security-opt label=level:s0:c1 alpine
docker run --security-opt systempaths=unconfined alpine
podman run --security-opt unmask=ALL alpine
