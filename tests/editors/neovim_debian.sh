#!/usr/bin/env bash
# Neovim 0.10 for the editor tests (the plugin's `vim.lsp.start` path, as a
# Neovim 0.9-0.10 user has it): Debian 13's neovim package and the libraries
# it links, glibc 2.41 among them (Debian 12 has 2.36), unpacked into DIR
# without installing anything. `apt-get download` reads a private sources
# list (the system's Debian mirror, suite trixie), `dpkg-deb -x` unpacks,
# and patchelf points the binary at the unpacked loader and libraries, so
# it runs here while the processes it starts (qbank) keep the system's.
# Neovim finds its runtime next to the binary (DIR/usr/share/nvim/runtime).
#
# Usage: neovim_debian.sh DIR VERSION   (then DIR/usr/bin/nvim)
# VERSION is Debian's, e.g. 0.10.4-8+deb13u1. Debian keeps only a suite's
# newest version: when VERSION is gone, the newest with the same upstream
# version is taken, and said.
set -euo pipefail
dir=$1
version=$2
suite=trixie

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/lists/partial" "$work/cache/archives/partial" "$work/debs"

# The system's Debian mirror (the one its own suite is fetched from).
codename=$(. /etc/os-release && echo "$VERSION_CODENAME")
mirror=$(apt-get indextargets --format '$(RELEASE) $(REPO_URI)' 'Identifier: Packages' \
  | awk -v suite="$codename" '$1 == suite { print $2; exit }')
[ -n "$mirror" ] || { echo "no Debian mirror for $codename in the apt sources" >&2; exit 1; }
echo "deb $mirror $suite main" >"$work/sources.list"
apt=(
  -o "Dir::Etc::SourceList=$work/sources.list" -o Dir::Etc::SourceParts=/dev/null
  -o "Dir::State::Lists=$work/lists" -o "Dir::Cache=$work/cache" -o Dir::State::status=/dev/null
  -o APT::Sandbox::User=root
)
apt-get "${apt[@]}" update -qq

available=$(apt-cache "${apt[@]}" madison neovim | awk '{ print $3 }')
if ! grep -qxF "$version" <<<"$available"; then
  newest=$(head -1 <<<"$available")
  if [ "${newest%%-*}" != "${version%%-*}" ]; then
    echo "neovim $version is gone from Debian $suite, which now has $newest" >&2
    exit 1
  fi
  echo "neovim $version is gone from Debian $suite: taking $newest"
  version=$newest
fi
# neovim and what it links (`Depends` of the package), at the suite's
# versions; libgcc-s1 for the new glibc.
(
  cd "$work/debs"
  apt-get "${apt[@]}" download -qq "neovim=$version" "neovim-runtime=$version" \
    libc6 libgcc-s1 libluajit-5.1-2 libmsgpack-c2 libtree-sitter0.22 libunibilium4 libuv1t64 libvterm0 \
    lua-lpeg lua-luv
)

rm -rf "$dir"
mkdir -p "$dir"
for deb in "$work"/debs/*.deb; do
  dpkg-deb -x "$deb" "$dir"
done
libraries="$dir/usr/lib/x86_64-linux-gnu"
patchelf --set-interpreter "$libraries/ld-linux-x86-64.so.2" --force-rpath --set-rpath "$libraries" "$dir/usr/bin/nvim"
"$dir/usr/bin/nvim" --version | head -1
