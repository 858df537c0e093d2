#!/usr/bin/env bash
# Upgrades a compose deployment in place: new sources, both images rebuilt from them, the gateway restarted on the
# new image (agents restart on their next message, on the new agent image), then unused images removed.
# Run from the repository: scripts/upgrade.sh. Take a backup first (docs/operations.md).
set -euo pipefail
cd "$(dirname "$0")/.."
# Compose v2 (the docker plugin), else Debian's docker-compose v1.
if docker compose version >/dev/null 2>&1; then compose=(docker compose); else compose=(docker-compose); fi
git pull --ff-only
# Images the compose files name without building them (the production override's Tailscale sidecar); the two
# that are built here have no registry to come from, which is not an error.
"${compose[@]}" pull --ignore-pull-failures
"${compose[@]}" build praktor
"${compose[@]}" build agent
"${compose[@]}" up -d
# Dangling images only: the layers the rebuilt images replaced. Containers and volumes are not touched.
docker image prune -f
