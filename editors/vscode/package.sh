#!/usr/bin/env bash
# Builds the platform package: the extension with the qbank server inside.
#
#   bash editors/vscode/package.sh [--server FILE] [--out FILE]
#
# Builds qbank as shipped (`cargo build --profile dist --locked`: release with
# link-time optimization, Cargo.toml) and copies it,
# without its debug sections, to server/qbank, where the extension looks
# after `qbank.path` and QBANK_PATH and before PATH; then `npm ci` (when the
# lock file changed) and `vsce package --target linux-x64`. The result is
# qbank-linux-x64-<version>.vsix in editors/vscode, or --out.
# --server FILE ships FILE as server/qbank instead of building (the tests
# use it to package a server that answers nothing).
# server/ is removed afterwards: it would otherwise slip into the package
# without a server (`npm run package`), and a copy left there would shadow
# `qbank` on PATH when the extension runs from this folder.
set -euo pipefail
cd "$(dirname "$0")"
extension=$PWD
repo=$(cd ../.. && pwd)
server=""
out=""
while [ $# -gt 0 ]; do
  case "$1" in
    --server) server=$(realpath "$2"); shift ;;
    --out) out=$(realpath -m "$2"); shift ;;
    *) echo "usage: $0 [--server FILE] [--out FILE]" >&2; exit 2 ;;
  esac
  shift
done
target=linux-x64
version=$(node -p 'require("./package.json").version')
out=${out:-"$extension/qbank-$target-$version.vsix"}

if [ -z "$server" ]; then
  (cd "$repo" && cargo build --profile dist --locked --quiet)
  server="$repo/target/dist/qbank"
fi
cleanup() {
  rm -rf "$extension/LICENSE" "$extension/server"
}
trap cleanup EXIT
rm -rf server
mkdir server
if [ "$(head -c 4 "$server" | od -An -c | tr -d ' ')" = '177ELF' ] && command -v strip >/dev/null; then
  # The line tables stay out of the package: 60 MB with them, 12 without.
  strip --strip-debug -o server/qbank "$server"
else
  cp "$server" server/qbank
fi
chmod 755 server/qbank
"$extension/server/qbank" --version

# npm ci again only when the lock file changed since the last one.
if ! cmp -s package-lock.json node_modules/.qbank-installed-lock.json; then
  npm ci --no-audit --no-fund --loglevel=error
  cp package-lock.json node_modules/.qbank-installed-lock.json
fi
# vscode:prepublish compiles src/ into out/ first. The repository and the
# licence are the qbank repository's, not the extension folder's.
cp "$repo/LICENSE" LICENSE
npx --no-install vsce package --target "$target" --allow-missing-repository -o "$out"
