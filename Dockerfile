# entrasim as a container: a static musl binary in an empty (scratch) image.
# Build: docker build -t entrasim .   Run: docker run -p 8400:8400 -p 8443:8443 entrasim
FROM rust:1.89-alpine AS build
RUN apk add --no-cache musl-dev=~1
WORKDIR /src
COPY . .
# Stripped, without line tables: the image is the binary (~12 MB; the target is < 25 MB).
RUN cargo build --release --locked --config profile.release.debug=false --config profile.release.strip=true \
 && mkdir -p /out/data \
 && cp target/release/entrasim /out/entrasim

FROM scratch
COPY --from=build /out/entrasim /entrasim
COPY --from=build --chown=65532:65532 /out/data /data
# Inside the container only: listen on every interface (the binary's default stays 127.0.0.1).
ENV ENTRASIM_HOST=0.0.0.0 \
    ENTRASIM_PORT=8400 \
    ENTRASIM_HTTPS_PORT=8443 \
    ENTRASIM_DATA_DIR=/data
USER 65532:65532
VOLUME ["/data"]
EXPOSE 8400 8443
HEALTHCHECK --interval=5s --timeout=3s --retries=10 CMD ["/entrasim", "health", "--url", "http://127.0.0.1:8400"]
ENTRYPOINT ["/entrasim"]
