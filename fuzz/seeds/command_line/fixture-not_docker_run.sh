0#!/bin/sh
# docker run --privileged alpine   <- a comment
docker ps -a
docker pull alpine:3.19
docker run --help
echo "docker run --privileged alpine"
printf '%s\n' 'docker run --privileged alpine'
docker compose run --rm web
docker-compose run web
docker exec -it web docker run --privileged alpine
docker image ls
cat <<'EOF2'
Usage: docker run [OPTIONS] IMAGE
  docker run --privileged example
EOF2
docker run
