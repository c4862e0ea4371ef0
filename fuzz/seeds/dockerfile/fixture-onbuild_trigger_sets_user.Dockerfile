FROM alpine:3.19 AS base
ONBUILD USER 10001

FROM base
RUN echo built
