#!/usr/bin/env bash
# Installs what the test suite needs to execute code: bubblewrap for the sandbox, and compilers,
# runtimes and test libraries for the execution languages (Debian packages and a few npm globals).
# Idempotent and quiet; skips apt/npm when everything is already present.
set -euo pipefail

packages=(
  bubblewrap util-linux coreutils              # sandbox: bwrap, prlimit, setpriv, timeout
  keyutils                                     # keyctl: the test that no key outlives a sample
  python3 python3-scipy                        # Python (MathQA-X solutions import scipy)
  gcc g++ libboost-dev libssl-dev              # C/C++ (HumanEval-X CPP uses boost::any and OpenSSL MD5)
  default-jdk-headless                         # Java (javac, java)
  golang-go golang-github-stretchr-testify-dev # Go; testify for HumanEval-X Go tests (GOPATH mode)
  php-cli ruby perl libdata-compare-perl       # PHP, Ruby, Perl (MBXP Perl tests use Data::Compare)
  kotlin scala                                 # Kotlin (kotlinc 1.3), Scala 2.11
  mono-mcs mono-runtime                        # C# (mcs, mono)
  librust-rand-dev librust-regex-dev librust-md5-dev librust-aho-corasick-dev librust-memchr-dev
)
command -v node >/dev/null 2>&1 || packages+=(nodejs)
command -v npm >/dev/null 2>&1 || packages+=(npm)
# Rust: rustup's toolchain when there is one (~/.cargo/bin), else Debian's.
if ! command -v rustc >/dev/null 2>&1 && [ ! -x "${HOME:-/root}/.cargo/bin/rustc" ]; then
  packages+=(rustc cargo)
fi

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

# npm globals: TypeScript, and the packages the JS/TS tests require (lodash, mathjs, js-md5,
# @types/node for `import * as assert from 'assert'`).
npm_packages=(typescript lodash mathjs js-md5 @types/node)
npm_missing=()
npm_root="$(npm root -g 2>/dev/null || echo /usr/lib/node_modules)"
for p in "${npm_packages[@]}"; do
  [ -d "$npm_root/$p" ] || npm_missing+=("$p")
done
if [ ${#npm_missing[@]} -gt 0 ]; then
  npm install -g --silent --no-fund --no-audit "${npm_missing[@]}" >/dev/null
fi
