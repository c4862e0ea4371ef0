# only a global argument
ARG VERSION=1
