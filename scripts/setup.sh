#!/usr/bin/env bash
# Installs everything adaspring needs on a fresh Debian machine with Node.js and npm:
# Debian packages (a font for PNG plots, the Fashion-MNIST data), Deno (from npm), and the
# project's npm dependencies (pinned by deno.lock). Safe to re-run: it only does what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
export RUST_BACKTRACE=0

DENO_VERSION=2.9.6
apt_packages=()
[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || apt_packages+=(fonts-dejavu-core)
[ -d /usr/share/datasets/fashion-mnist ] || apt_packages+=(dataset-fashion-mnist)
if [ ${#apt_packages[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "setup: installing Debian packages: ${apt_packages[*]}" >&2
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${apt_packages[@]}" >/dev/null
  elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
    echo "setup: installing Debian packages: ${apt_packages[*]}" >&2
    sudo apt-get update -qq
    sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${apt_packages[@]}" >/dev/null
  else
    echo "setup: warning: missing Debian packages ${apt_packages[*]}; install them with" >&2
    echo "       sudo apt-get install ${apt_packages[*]}  (plots and the fashion task need them)" >&2
  fi
fi

if ! node_modules/.bin/deno --version 2>/dev/null | grep -q "^deno ${DENO_VERSION} "; then
  echo "setup: installing Deno ${DENO_VERSION} from npm" >&2
  npm ci --no-audit --no-fund --loglevel=error
fi
node_modules/.bin/deno install --frozen --quiet
echo "setup: ready ($(node_modules/.bin/deno --version | head -1))" >&2
