#!/usr/bin/env bash
# Builds the images the Docker test suites run, each only when its inputs changed: the offline base
# (images/base/build.sh) and the agent image on it. Needs the packages built (npm run build). Prints the agent
# image's tag. Concurrent runs (parallel test files) wait for each other instead of building twice.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
exec 9>"${TMPDIR:-/tmp}/praktor-test-images.lock"
flock 9
base="$("$root/images/base/build.sh")"
node "$root/packages/gateway/bin/praktor.js" image build --base "$base" --tag "${PRAKTOR_TEST_IMAGE:-praktor-agent:test}" --quiet
