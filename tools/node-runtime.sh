#!/usr/bin/env bash
# Prints the bin folder of a pinned Node.js release for the given major (22 or 24), installed
# from npm's node-linux-<arch> package into ~/.cache/sitewatch/node/<version> on first use
# (not a project dependency; later runs reuse it). .ci/run puts that folder first on PATH to
# run the tests on that runtime:  PATH="$(bash tools/node-runtime.sh 24):$PATH" npx nx ...
set -euo pipefail

# The releases CI proves besides the machine's own Node.js: the one place they are pinned.
declare -A pinned=([22]=22.23.5 [24]=24.22.3)

major=${1:?usage: node-runtime.sh <major: ${!pinned[*]}>}
version=${pinned[$major]:-}
[ -n "$version" ] || { echo "node-runtime.sh: no pinned Node.js $major (pinned: ${!pinned[*]})" >&2; exit 2; }
case "$(uname -m)" in
  x86_64) arch=x64 ;;
  aarch64) arch=arm64 ;;
  *) echo "node-runtime.sh: no node-linux package for $(uname -m)" >&2; exit 2 ;;
esac

dir="${XDG_CACHE_HOME:-$HOME/.cache}/sitewatch/node/$version"
if [ ! -x "$dir/bin/node" ]; then
  # Fetched and unpacked beside the cache, then moved in whole: a broken download leaves nothing.
  mkdir -p "$(dirname "$dir")"
  work=$(mktemp -d "$dir.XXXXXX")
  trap 'rm -rf "$work"' EXIT
  tarball=$(cd "$work" && npm pack --silent "node-linux-$arch@$version")
  tar -xzf "$work/$tarball" -C "$work" package/bin/node package/LICENSE
  rm -rf "$dir"
  mv "$work/package" "$dir"
fi
"$dir/bin/node" --version >/dev/null
echo "$dir/bin"
