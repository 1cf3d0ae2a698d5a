#!/usr/bin/env bash
# Build the Linux bundle and its tarball:
#   dist/PortfolioOS/                                 the one-dir bundle (run ./portfolioos)
#   dist/PortfolioOS-<version>-linux-<arch>.tar.gz    the same, with desktop integration
#
# Uses the project's .venv (created by scripts/bootstrap.sh when missing) and installs
# PyInstaller into it if needed. PYTHON=/path/to/python overrides the interpreter
# (it needs the app's dependencies; the package itself is read from this checkout).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
APP_ID=io.github.portfolioos.PortfolioOS

if [ -z "${PYTHON:-}" ]; then
  [ -x .venv/bin/python ] || scripts/bootstrap.sh
  PYTHON=.venv/bin/python
fi
if ! "$PYTHON" -m PyInstaller --version >/dev/null 2>&1; then
  echo "build: installing PyInstaller into $("$PYTHON" -c 'import sys; print(sys.prefix)')"
  "$PYTHON" -m pip install -q "pyinstaller>=6.6"
fi

VERSION=$(PYTHONPATH="$ROOT" "$PYTHON" -c "import portfolioos; print(portfolioos.__version__)")
ARCH=$(uname -m)
NAME="PortfolioOS-$VERSION-linux-$ARCH"

if command -v appstreamcli >/dev/null 2>&1; then
  appstreamcli validate --no-net --pedantic "packaging/linux/$APP_ID.metainfo.xml" >/dev/null \
    || { echo "build: AppStream metainfo does not validate" >&2; exit 1; }
fi

echo "build: PyInstaller $("$PYTHON" -m PyInstaller --version), PortfolioOS $VERSION, $ARCH"
start=$(date +%s)
"$PYTHON" -m PyInstaller --noconfirm --clean --log-level "${PYINSTALLER_LOG_LEVEL:-WARN}" \
  --distpath dist --workpath build/pyinstaller portfolioos.spec
BUNDLE=dist/PortfolioOS

# Desktop integration inside the bundle, in the XDG layout, plus a per-user installer.
share="$BUNDLE/share"
rm -rf "$share"
install -Dm644 "packaging/linux/$APP_ID.desktop" "$share/applications/$APP_ID.desktop"
install -Dm644 "packaging/linux/$APP_ID.metainfo.xml" "$share/metainfo/$APP_ID.metainfo.xml"
for size in 16 24 32 48 64 128 256 512; do
  install -Dm644 "packaging/icons/portfolioos-$size.png" \
    "$share/icons/hicolor/${size}x${size}/apps/$APP_ID.png"
done
install -m755 packaging/linux/install-desktop-entry.sh "$BUNDLE/install-desktop-entry.sh"

tar -C dist --transform "s,^PortfolioOS,$NAME," -czf "dist/$NAME.tar.gz" PortfolioOS
end=$(date +%s)
echo "build: $(du -sh "$BUNDLE" | cut -f1) bundle in $BUNDLE, $(du -h "dist/$NAME.tar.gz" | cut -f1) dist/$NAME.tar.gz, $((end - start)) s"
