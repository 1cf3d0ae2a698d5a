#!/usr/bin/env bash
# Install what is missing for PortfolioOS on Debian/Ubuntu: the system libraries Qt
# needs, Xvfb, a Secret Service (gnome-keyring + dbus) for the keychain, the bundle
# build's tools, a virtual environment in .venv and the package with its test and
# development extras.
# Idempotent: a second run installs nothing and takes a second or two.
set -euo pipefail
cd "$(dirname "$0")/.."

PY=${PYTHON:-python3}
VENV=${VENV:-.venv}

apt_packages=(
  xvfb xauth dbus dbus-x11 gnome-keyring libsecret-1-0
  libegl1 libgl1 libopengl0 libxkbcommon0 libxkbcommon-x11-0 libfontconfig1 libfreetype6
  libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-randr0
  libxcb-render-util0 libxcb-shape0 libxcb-xinerama0 libxcb-xkb1 libxcb-xfixes0
  libdbus-1-3 libglib2.0-0 fonts-dejavu-core binutils
  # the bundle build trims Qt's ICU data with icupkg and relinks it with the C compiler
  # (packaging/linux/icu_trim.py; without them the bundle keeps the full 32 MB)
  icu-devtools gcc
)
if command -v dpkg-query >/dev/null 2>&1; then
  missing=()
  for p in "${apt_packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "bootstrap: installing system packages: ${missing[*]}"
    SUDO=""
    [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    $SUDO apt-get update -qq || true
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
  fi
else
  echo "bootstrap: not a Debian/Ubuntu system; install Qt's runtime libraries yourself" >&2
fi

if [ ! -x "$VENV/bin/python" ]; then
  echo "bootstrap: creating $VENV with $($PY --version)"
  $PY -m venv "$VENV"
fi
stamp="$VENV/.installed-$(sha256sum pyproject.toml | cut -c1-16)"
if [ ! -f "$stamp" ]; then
  echo "bootstrap: installing PortfolioOS and its dependencies into $VENV"
  "$VENV/bin/python" -m pip install -q --upgrade pip >/dev/null 2>&1 || true
  "$VENV/bin/python" -m pip install -q -e ".[test,dev]"
  rm -f "$VENV"/.installed-*
  touch "$stamp"
fi
