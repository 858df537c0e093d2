# The gateway image for the compose deployment (docker-compose.yml): the praktor command with Mission Control
# built in and only the gateway's production dependencies — not Claude Code, which runs in the agent image — as
# the unprivileged user praktor. Two ways to build it (see docs/docker.md):
#   - `docker compose build` / `up`: the last stage, from the repository's sources on BUILD_IMAGE (npm ci, which
#     builds the native modules better-sqlite3 and zstd-napi for that Node, then compile); BASE_IMAGE must run the
#     same Node major (both 24 by default);
#   - the offline test builds: target `staged`, with a context staged from an installation (its `node_modules/`,
#     see runtimes/agent-image.ts), whose native modules are built for that installation's Node — so BASE_IMAGE
#     must run that same Node major.
# The legacy builder (no BuildKit, as Debian's docker.io) builds every stage before the target, whatever the
# context: so `staged` copies the whole context, which works in the repository too (its copy is never used there).
ARG BASE_IMAGE=node:24-bookworm-slim
ARG BUILD_IMAGE=node:24-bookworm

FROM ${BASE_IMAGE} AS runtime
# The gateway's user (uid 1000 is node's in node:*-slim), the same uid as the agents'. /data is where the named
# volume praktor-data is mounted: a new volume takes this owner from the image.
RUN groupadd --gid 10321 praktor \
    && useradd --uid 10321 --gid 10321 --home-dir /home/praktor --create-home --shell /usr/sbin/nologin praktor \
    && mkdir -p /data /etc/praktor \
    && chown praktor:praktor /data \
    && printf '#!/bin/sh\nexec node /app/node_modules/@praktor/gateway/bin/praktor.js "$@"\n' >/usr/local/bin/praktor \
    && chmod 0755 /usr/local/bin/praktor
ENV NODE_ENV=production \
    PRAKTOR_DATA_DIR=/data \
    PRAKTOR_CONFIG=/etc/praktor/praktor.yaml
USER praktor
WORKDIR /data
EXPOSE 8080
ENTRYPOINT ["praktor"]
CMD ["gateway"]

FROM runtime AS staged
COPY . /app/

FROM ${BUILD_IMAGE} AS source
WORKDIR /src
COPY . .
RUN npm ci --no-audit --no-fund \
    && npm run build --silent \
    && node images/stage.mjs gateway /stage

FROM runtime AS from-source
COPY --from=source /stage/node_modules /app/node_modules
