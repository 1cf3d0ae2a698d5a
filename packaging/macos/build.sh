#!/usr/bin/env bash
# Build dist/PortfolioOS.app and dist/PortfolioOS-<version>-macos-<arch>.dmg.
#
# Signing: set MACOS_SIGNING_IDENTITY (e.g. "Developer ID Application: Name (TEAMID)")
# and PyInstaller signs every binary and the .app with the hardened runtime and
# packaging/macos/entitlements.plist; the .dmg is then signed too. Without it the app
# is ad-hoc signed (runs on the build machine; Gatekeeper warns elsewhere).
# Notarisation (xcrun notarytool submit ... --wait; xcrun stapler staple) is left to
# the release manager: it needs an Apple ID and is not automated here.
#
# Not run by the authors yet (no Mac at hand); written against PyInstaller 6 and
# hdiutil as documented. CI (.github/workflows/ci.yml) runs it on macos-latest.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD

PYTHON=${PYTHON:-.venv/bin/python}
if [ ! -x "$PYTHON" ]; then
  python3 -m venv .venv
  .venv/bin/python -m pip install -q -e ".[dev]"
  PYTHON=.venv/bin/python
fi
"$PYTHON" -m PyInstaller --version >/dev/null 2>&1 || "$PYTHON" -m pip install -q "pyinstaller>=6.6"

VERSION=$(PYTHONPATH="$ROOT" "$PYTHON" -c "import portfolioos; print(portfolioos.__version__)")
ARCH=$(uname -m)
NAME="PortfolioOS-$VERSION-macos-$ARCH"
export MACOSX_DEPLOYMENT_TARGET=${MACOSX_DEPLOYMENT_TARGET:-12.0}

"$PYTHON" -m PyInstaller --noconfirm --clean --log-level WARN \
  --distpath dist --workpath build/pyinstaller portfolioos.spec
APP=dist/PortfolioOS.app
[ -d "$APP" ] || { echo "build: $APP was not produced" >&2; exit 1; }

# The bundle must start and pass its own checks before it is packed.
"$APP/Contents/MacOS/PortfolioOS" self-test ${SELFTEST_ARGS:-}

if [ -n "${MACOS_SIGNING_IDENTITY:-}" ]; then
  codesign --verify --deep --strict --verbose=2 "$APP"
fi

# A compressed disk image with the app and a link to /Applications.
staging=$(mktemp -d)
trap 'rm -rf "$staging"' EXIT
cp -R "$APP" "$staging/"
ln -s /Applications "$staging/Applications"
rm -f "dist/$NAME.dmg"
hdiutil create -volname "PortfolioOS $VERSION" -srcfolder "$staging" -fs HFS+ \
  -format UDZO -imagekey zlib-level=9 -ov "dist/$NAME.dmg"
if [ -n "${MACOS_SIGNING_IDENTITY:-}" ]; then
  codesign --sign "$MACOS_SIGNING_IDENTITY" --timestamp "dist/$NAME.dmg"
fi
echo "build: $APP and dist/$NAME.dmg"
