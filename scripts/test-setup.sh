#!/usr/bin/env bash
# One command from a fresh Debian machine to the whole test suite with nothing skipped:
#   1. installs the Debian packages the optional tests drive (apt-get; sudo when not root):
#      chromium (browser tests, via playwright-core; never a downloaded browser), python3-feedparser
#      (an independent Atom parser), newsboat (a real feed reader of the OPML), ngircd, irssi and
#      tmux (the live IRC test), time (GNU time, peak memory in the benchmark smoke test);
#   2. runs `npm ci` when node_modules is missing or does not match package-lock.json;
#   3. runs `npm run test:all`: the suite with CHATCHANNELS_REQUIRE_ALL=1, where a test that would
#      be skipped for a missing package or fixture fails instead.
# `--check` only says what steps 1 and 2 would do. `--no-run` stops before step 3.
# .ci/run is this script. The real exports in ../shared/fixtures are not installed here: without
# them the run fails and names what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

check=false
run=true
for arg in "$@"; do
  case "$arg" in
    --check) check=true ;;
    --no-run) run=false ;;
    *) echo "usage: scripts/test-setup.sh [--check] [--no-run]" >&2; exit 2 ;;
  esac
done

# The same checks as test/helpers/requires.ts makes before it skips.
need=()
[ -x /usr/bin/chromium ] || need+=(chromium)
/usr/bin/python3 -c 'import feedparser' 2>/dev/null || need+=(python3-feedparser)
[ -x /usr/bin/newsboat ] || need+=(newsboat)
[ -x /usr/sbin/ngircd ] || command -v ngircd >/dev/null || need+=(ngircd)
command -v irssi >/dev/null || [ -x /usr/bin/irssi ] || need+=(irssi)
command -v tmux >/dev/null || [ -x /usr/bin/tmux ] || need+=(tmux)
[ -x /usr/bin/time ] || need+=(time)

# node_modules is current when every package of package-lock.json is installed at its version
# (npm's own record, node_modules/.package-lock.json); platform-only optional ones aside.
stale=$(node -e '
  const fs = require("fs");
  let have;
  try { have = JSON.parse(fs.readFileSync("node_modules/.package-lock.json", "utf8")).packages; } catch { console.log("node_modules is missing"); process.exit(); }
  const want = JSON.parse(fs.readFileSync("package-lock.json", "utf8")).packages;
  const off = Object.entries(want).filter(([path, p]) => path && !p.optional && have[path]?.version !== p.version);
  if (off.length) console.log(`node_modules differs from package-lock.json (${off.length}, e.g. ${off[0][0]})`);
')

if $check; then
  if [ ${#need[@]} -gt 0 ]; then echo "would install: ${need[*]}"; else echo "Debian packages: all there"; fi
  if [ -n "$stale" ]; then echo "would run npm ci: $stale"; else echo "node_modules: current"; fi
  exit 0
fi

if [ ${#need[@]} -gt 0 ]; then
  echo "test-setup: installing ${need[*]}"
  if ! command -v apt-get >/dev/null; then
    echo "test-setup: apt-get is not here (not Debian or Ubuntu?): install the equivalents of the Debian packages ${need[*]}, then run npm run test:all" >&2
    exit 1
  fi
  SUDO=()
  if [ "$(id -u)" -ne 0 ]; then
    if ! command -v sudo >/dev/null; then
      echo "test-setup: installing ${need[*]} needs root: run this as root or install sudo" >&2
      exit 1
    fi
    SUDO=(sudo)
  fi
  "${SUDO[@]}" apt-get update -qq
  "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}"
fi

if [ -n "$stale" ]; then
  echo "test-setup: $stale: npm ci"
  npm ci --no-audit --no-fund
fi

if $run; then
  npm run test:all
fi
