ARG BASE=debian:12-slim
FROM ${BASE} AS runtime
ARG APP_UID=10001
USER ${APP_UID}

FROM runtime AS debug
USER root
