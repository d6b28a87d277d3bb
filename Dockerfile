# syntax=docker/dockerfile:1
# Multi-stage build: a static, cgo-free binary on a distroless base, run as a non-root user.

FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags='-s -w' -o /out/vitrine ./cmd/vitrine \
 && mkdir -p /out/data

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/vitrine /usr/local/bin/vitrine
# The embedded store lives here when DATABASE_URL is not set; mount a volume to keep it.
COPY --from=build --chown=65532:65532 /out/data /data
ENV VITRINE_ADDR=:8080 \
    VITRINE_DATA_DIR=/data \
    VITRINE_ENV=production
USER 65532:65532
EXPOSE 8080
# The binary checks itself: the distroless image has no shell, curl or wget.
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD ["/usr/local/bin/vitrine", "healthcheck"]
ENTRYPOINT ["/usr/local/bin/vitrine"]
CMD ["serve"]
