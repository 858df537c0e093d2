#!/usr/bin/env bash
# Upgrades a compose deployment in place: new sources, both images rebuilt from them, the gateway restarted on the
# new image (agents restart on their next message, on the new agent image), then unused images removed.
# Run from the repository: scripts/upgrade.sh. Take a backup first (docs/operations.md).
set -euo pipefail
usage="Usage: scripts/upgrade.sh [--dry-run]

Pulls the new sources, rebuilds the gateway and agent images, restarts the gateway on its new image and removes
the images the rebuild replaced. Take a backup first (praktor backup; docs/operations.md).
  --dry-run   print each command instead of running it"
dry=0
for arg in "$@"; do
  case "$arg" in
    --dry-run) dry=1 ;;
    -h | --help)
      echo "$usage"
      exit 0
      ;;
    *)
      echo "scripts/upgrade.sh: unknown argument: $arg" >&2
      echo "$usage" >&2
      exit 2
      ;;
  esac
done
cd "$(dirname "$0")/.."
# Each step is printed first, so that a failed upgrade shows where it stopped.
step() {
  echo "+ $*"
  if [ "$dry" -eq 0 ]; then "$@"; fi
}
# Compose v2 (the docker plugin), else Debian's docker-compose v1.
if docker compose version >/dev/null 2>&1; then compose=(docker compose); else compose=(docker-compose); fi
step git pull --ff-only
# Images the compose files name without building them (the production override's Tailscale sidecar); the two
# that are built here have no registry to come from, which is not an error.
step "${compose[@]}" pull --ignore-pull-failures
step "${compose[@]}" build praktor
step "${compose[@]}" build agent
step "${compose[@]}" up -d
# Dangling images only: the layers the rebuilt images replaced. Containers and volumes are not touched.
step docker image prune -f
