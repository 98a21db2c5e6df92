# syntax=docker/dockerfile:1
# The Rotor operator image: `rotor run` as a non-root user on a minimal Ubuntu.
#   docker build -t rotor:0.1.0 .
# Lint with hack/lint-dockerfile. The Helm chart (charts/rotor) runs this image.

# Build: the official Swift image matching the toolchain the project is developed with
# (Swift 6.3.1), on Ubuntu 24.04 like the runtime stage, so the glibc matches.
FROM swift:6.3.1-noble AS build
WORKDIR /src

COPY . .
# Swift's runtime and Foundation linked in statically: the binary then needs only glibc,
# libstdc++, libgcc_s and zlib, all in the Ubuntu base image. .build is a BuildKit cache
# (resolved dependencies and objects survive between builds); the binary is copied out of
# it without its DWARF data (185 MB -> 117 MB), keeping the symbols that backtraces name.
RUN --mount=type=cache,target=/src/.build \
    swift build -c release --product rotor --static-swift-stdlib \
    && mkdir -p /staging \
    && cp "$(swift build -c release --show-bin-path)/rotor" /staging/rotor \
    && strip --strip-debug /staging/rotor \
    && cp /usr/libexec/swift/linux/swift-backtrace-static /staging/swift-backtrace-static \
    && /staging/rotor version

# Run: Ubuntu 24.04 with CA certificates (TLS to the API server, Vault and AWS) and no
# shell tools beyond the base image's.
FROM ubuntu:24.04
ARG ROTOR_VERSION=0.1.0
LABEL org.opencontainers.image.title="rotor" \
      org.opencontainers.image.description="Kubernetes operator syncing and rotating secrets from Vault and AWS Secrets Manager" \
      org.opencontainers.image.version="${ROTOR_VERSION}"

# Unpinned on purpose: each build takes Ubuntu's current security updates.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates tzdata \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --system --gid 65532 rotor \
    && useradd --system --uid 65532 --gid 65532 --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin rotor

COPY --from=build --chmod=0755 /staging/rotor /usr/local/bin/rotor
COPY --from=build --chmod=0755 /staging/swift-backtrace-static /usr/local/libexec/swift-backtrace-static
# Readable backtraces on a crash, without values from memory (sanitize) and never waiting for input.
ENV SWIFT_BACKTRACE=enable=yes,sanitize=yes,threads=all,images=all,interactive=no,swift-backtrace=/usr/local/libexec/swift-backtrace-static

# A numeric user, so that Kubernetes can verify runAsNonRoot.
USER 65532:65532
# /healthz, /readyz and /metrics (--health-address).
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/rotor"]
CMD ["run"]
