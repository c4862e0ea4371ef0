# minpriv as a container image: one statically linked binary on an empty filesystem, run as a
# numeric non-root user. No shell, no package manager, no shared libraries.
#
#   docker build -t minpriv .
#   docker run --rm --cap-drop=ALL --security-opt=no-new-privileges --read-only \
#     --user 65532:65532 -v "$PWD:/src:ro" minpriv
#
# The image's working folder is /src and its default command is `scan`, so the second line
# audits the current folder; arguments after the image name replace `scan`
# (`... minpriv scan --format sarif /src`, `... minpriv explain privileged`).
#
# Targets, in the order Docker's legacy builder needs them (it builds every stage up to the one
# it is asked for, BuildKit only those the target uses):
#   runtime-base       the image's configuration: user, working folder, entry point
#   runtime-from-host  runtime-base plus a static binary built outside Docker; nothing is
#                      pulled and nothing compiled, for machines that reach no registry:
#                        RUSTFLAGS="-C target-feature=+crt-static" \
#                          cargo build --release --target x86_64-unknown-linux-gnu -p minpriv
#                        cp target/x86_64-unknown-linux-gnu/release/minpriv docker/host-binary/
#                        docker build --target runtime-from-host -t minpriv .
#   builder            compiles the static binary from this source tree
#   runtime (default)  runtime-base plus the builder's binary

FROM scratch AS runtime-base
LABEL org.opencontainers.image.title="minpriv" \
      org.opencontainers.image.description="Audits container configurations for least privilege" \
      org.opencontainers.image.licenses="Apache-2.0"
# Numeric, so that Kubernetes' runAsNonRoot can verify it without an /etc/passwd.
USER 65532:65532
WORKDIR /src
ENTRYPOINT ["/usr/local/bin/minpriv"]
CMD ["scan"]

FROM runtime-base AS runtime-from-host
# Whatever docker/host-binary/ holds (.dockerignore keeps only the binary). A plain
# `docker build .` passes through this stage too and copies an empty folder, which does no harm.
COPY docker/host-binary/ /usr/local/bin/

FROM rust:1.95-bookworm AS builder
WORKDIR /build
COPY Cargo.toml Cargo.lock ./
COPY crates ./crates
# glibc, linked statically: the binary needs nothing from the image it runs in.
RUN set -eux; \
    target="$(rustc -vV | sed -n 's/^host: //p')"; \
    RUSTFLAGS="-C target-feature=+crt-static" \
      cargo build --locked --release --target "$target" -p minpriv; \
    install -D -m 0755 "target/$target/release/minpriv" /out/minpriv; \
    /out/minpriv --version

FROM runtime-base AS runtime
COPY --from=builder /out/minpriv /usr/local/bin/minpriv
