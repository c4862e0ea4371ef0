FROM golang:1.22 AS builder
RUN useradd -u 10001 build
USER build
RUN go build -o /out/app .

FROM debian:12-slim
COPY --from=builder /out/app /usr/local/bin/app
ENTRYPOINT ["/usr/local/bin/app"]
