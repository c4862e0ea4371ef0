0#!/bin/sh
# Start the agent with host access.
docker run -d \
  --name agent \
  --privileged \
  --pid=host \
  -v /:/host:ro \
  registry.example.com/agent:1.4 \
  --verbose

docker run --rm -it \
	--user 1000:1000 \
	--cap-drop ALL --cap-add NET_BIND_SERVICE \
	nginx:1.25 nginx -g 'daemon off;'
