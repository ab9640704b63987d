#!/usr/bin/env bash
# Installs code-server (VS Code in a browser, from npm) into a cache folder,
# with the recipe of ../shared/PITFALLS.md: no download outside npm, the
# native modules built against Node 20's headers, ripgrep from Debian.
# Skips everything when the folder already holds that version.
#
# Usage: bash tests/editors/code_server/install.sh PREFIX VERSION
# Afterwards PREFIX/node_modules/code-server/out/node/entry.js runs it.
set -euo pipefail
started=$(date +%s)
prefix=$1
version=$2
marker="$prefix/.installed"
if [ "$(cat "$marker" 2>/dev/null)" = "code-server@$version" ]; then
  echo "code-server $version: already in $prefix"
  exit 0
fi
rm -rf "$prefix"
mkdir -p "$prefix"
cd "$prefix"
export npm_config_nodedir=/usr npm_config_unsafe_perm=true npm_config_yes=true
npm_quiet=(--no-audit --no-fund --loglevel=error)
echo '{"private": true}' >package.json
npm install "${npm_quiet[@]}" --ignore-scripts "code-server@$version"
(
  cd node_modules/code-server/lib/vscode
  npm install "${npm_quiet[@]}" --omit=dev --ignore-scripts
  # @vscode/ripgrep's postinstall downloads rg from GitHub; it skips when
  # bin/ exists, so Debian's rg goes there first.
  mkdir -p node_modules/@vscode/ripgrep/bin
  ln -sf /usr/bin/rg node_modules/@vscode/ripgrep/bin/rg
  npm rebuild "${npm_quiet[@]}"
  ln -sfn node_modules node_modules.asar
  # The two links code-server's own postinstall.sh makes.
  ln -sfn code-linux.sh bin/remote-cli/code-server
  ln -sfn browser-linux.sh bin/helpers/browser.sh
  cd extensions
  # Its postinstall lists every file it trims: only errors are shown.
  npm install "${npm_quiet[@]}" --omit=dev >/dev/null
)
# code-server's own native module, hoisted to the top.
npm rebuild "${npm_quiet[@]}" argon2
echo "code-server@$version" >"$marker"
echo "code-server $version: installed in $prefix ($(( $(date +%s) - started ))s)"
