#!/usr/bin/env bash
# Installs everything the tests need on a fresh machine, then runs them all:
# type check, lint, build, and every test file with Node's test runner.
# Debian packages the tests use (openssl for test certificates, curl as an
# HTTP client, chromium, redis-server, memcached; iproute2 and iptables for the
# multi-host gateway test, which builds hosts from network namespaces and needs root)
# are installed here when missing; each test starts its own server instance on a
# free loopback port.
set -euo pipefail
cd "$(dirname "$0")/.."

debian_packages=(openssl curl chromium redis-server memcached iproute2 iptables)
missing=()
for package in "${debian_packages[@]}"; do
  dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
done
if ((${#missing[@]})); then
  echo "installing Debian packages: ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# A fresh clone gets exactly the locked versions; an existing checkout is
# only topped up, so a test run elsewhere in it keeps its node_modules.
if [ ! -d node_modules ]; then
  npm ci --no-audit --no-fund --loglevel=error
else
  npm install --no-audit --no-fund --loglevel=error
fi

# The layer check has its own small package (see tools/layers/package.json).
if [ ! -d tools/layers/node_modules ]; then
  npm ci --prefix tools/layers --no-audit --no-fund --loglevel=error
fi

# The oldest and the newest supported Node, official Linux x64 binaries from
# npm (see tools/node-versions/package.json), for the tests that exercise Node
# internals (test/integration/node-versions.test.ts, which skips elsewhere).
if [ "$(uname -s)" = Linux ] && [ "$(uname -m)" = x86_64 ] && [ ! -d tools/node-versions/node_modules ]; then
  npm ci --prefix tools/node-versions --no-audit --no-fund --loglevel=error
fi

npx tsc -p tsconfig.json
npx biome check .
# Imports of src/ point down the layer stack and close no cycle (docs/architecture.md).
npm run --prefix tools/layers --silent check
npm run build --silent

mapfile -t files < <(find test -name '*.test.ts' | sort)
# The TAP output goes to the terminal and to a log; after a failed run the
# failures are listed once more at the very end, under the summary, where a
# CI page that keeps only the end of the output shows them.
log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
node --import tsx --test --test-concurrency=2 --test-timeout=600000 "${files[@]}" | tee "$log" ||
  status=$?
if [ "$status" -ne 0 ]; then node scripts/tap-failures.mjs "$log"; fi
exit "$status"
