# Builds every MayaGo executable in the Swift image, then copies them and their resource bundles (OpenAPI
# documents, templates) into a slim runtime image with only the shared libraries they need. One image serves all seven services: the compose file picks the command.

FROM swift:6.3-bookworm AS build
RUN apt-get update -qq \
    && apt-get install -y -qq --no-install-recommends libhiredis-dev libssl-dev libcurl4-openssl-dev zlib1g-dev libvips-dev \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /build
COPY Package.swift ./
COPY Shared ./Shared
COPY Services ./Services
COPY Tests ./Tests
RUN swift build -c release --static-swift-stdlib \
    && mkdir /staging \
    && for service in gateway auth booking payment search messaging notify; do \
        cp "$(swift build -c release --show-bin-path)/$service" /staging/; \
    done \
    && cp -R "$(swift build -c release --show-bin-path)"/*.resources /staging/

FROM debian:bookworm-slim
RUN apt-get update -qq \
    && apt-get install -y -qq --no-install-recommends libhiredis0.14 libcurl4 libvips42 ca-certificates tzdata curl \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --home-dir /app mayago \
    && mkdir -p /app/run/attachments /app/run/objects && chown -R mayago /app
WORKDIR /app
COPY --from=build /staging/ /usr/local/bin/
COPY Web /app/Web
USER mayago
ENV HTTP_HOST=0.0.0.0 MAYAGO_ENV=production
