FROM alpine:3.19
ARG MODE=4755
COPY --chmod=${MODE} tool /usr/local/bin/
ADD --chmod=u+s https://example.com/helper /usr/local/bin/helper
COPY --chmod=0755 safe /usr/local/bin/safe
USER 65534
