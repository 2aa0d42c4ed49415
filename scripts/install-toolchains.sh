#!/usr/bin/env bash
# Installs the Debian packages the test suite needs (compilers and runtimes for code execution,
# bubblewrap for the sandbox). Idempotent; skips apt when every package is already present.
set -euo pipefail
packages=(bubblewrap)
missing=()
for p in "${packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "install-toolchains: need root to install: ${missing[*]}" >&2
    exit 2
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
