# crosskey in a container. Build:  docker build -t crosskey .
# Run:   docker run -p 8443:8443 -v crosskey-data:/data crosskey
#        (add `-p 8080:8080 crosskey --mi-bind 0.0.0.0` to publish the managed-identity port)
# /data keeps the whole cloud (crosskey.db), the CA, server certificate, MI secret, backup key,
# admin token and audit.jsonl; get the CA with
#   curl -k https://127.0.0.1:8443/_emulator/ca.pem
# and the control API's token with  docker exec <container> cat /data/admin-token

# ---- build: the same Debian packages as scripts/install-deps, minus the test-only ones
FROM debian:12 AS build
ARG DEBIAN_FRONTEND=noninteractive
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      build-essential cmake ninja-build pkg-config git ca-certificates \
      libcpp-httplib-dev nlohmann-json3-dev libssl-dev libsqlite3-dev libjemalloc-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
# Tests are built and run by scripts/test, not in the image.
RUN CK_BUILD_TYPE=Release bash scripts/build -DCK_BUILD_TESTS=OFF

# ---- runtime: only the shared libraries the binary links
FROM debian:12
ARG DEBIAN_FRONTEND=noninteractive
RUN apt-get update \
 && apt-get install -y --no-install-recommends libcpp-httplib0.11 libssl3 libsqlite3-0 libjemalloc2 ca-certificates \
 && rm -rf /var/lib/apt/lists/*
COPY --from=build /src/build/crosskey /usr/local/bin/crosskey
# Fail the image build, not the first run, if the binary needs a library not installed above.
RUN ! ldd /usr/local/bin/crosskey | grep 'not found'
VOLUME ["/data"]
EXPOSE 8443 8080
# Listening beyond loopback, the control API requires a bearer token: crosskey generates one into
# /data/admin-token (0600) unless --admin-token is given. The managed-identity port hands out the
# emulated identities' tokens, so it is published only with --mi-bind 0.0.0.0 (add it to run).
ENTRYPOINT ["/usr/local/bin/crosskey","serve","--bind","0.0.0.0","--data-dir","/data"]
