FROM ubuntu:24.04
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      iputils-ping \
    # this comment inside the continuation is dropped by the parser
 && chmod \
      u+s \
      /usr/bin/ping \
 && rm -rf /var/lib/apt/lists/*
USER \
    10001
