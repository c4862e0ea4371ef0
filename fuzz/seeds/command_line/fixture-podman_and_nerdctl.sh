0#!/bin/sh
podman run --rm --userns=keep-id --security-opt label=disable -v ./data:/data:Z fedora:40
podman container create --name builder --security-opt label=type:spc_t quay.io/buildah/stable
nerdctl run -d --cap-add SYS_ADMIN,NET_ADMIN --sysctl net.ipv4.ip_forward=1 nginx:alpine
sudo nerdctl --namespace k8s.io run --net=host busybox
