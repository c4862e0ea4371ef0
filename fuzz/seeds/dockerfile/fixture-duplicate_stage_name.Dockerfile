FROM alpine:3.19 AS build
FROM debian:12 AS build
