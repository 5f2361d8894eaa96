# An equivalent of the official golang:bookworm image, built from the same local base for a fair size
# comparison: buildpack-deps:bookworm-scm's packages + gcc/libc6-dev/make/pkg-config + the Go tarball.
ARG BASE
FROM ${BASE}
RUN apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      ca-certificates curl gnupg netbase wget git mercurial openssh-client subversion procps \
      g++ gcc libc6-dev make pkg-config \
 && rm -rf /var/lib/apt/lists/*
ARG GO_URL
ARG GO_SHA256
RUN curl -fsSL -o /tmp/go.tgz "$GO_URL" && echo "$GO_SHA256  /tmp/go.tgz" | sha256sum -c - \
 && tar -C /usr/local -xzf /tmp/go.tgz && rm /tmp/go.tgz
ENV GOLANG_VERSION=official-equivalent GOTOOLCHAIN=local GOPATH=/go PATH=/go/bin:/usr/local/go/bin:$PATH
RUN mkdir -p /go/src /go/bin && chmod -R 1777 /go
WORKDIR /go
