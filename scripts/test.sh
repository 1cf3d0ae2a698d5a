#!/usr/bin/env bash
# The whole check, as CI runs it: install what is missing, lint, type-check, test.
# The tests run inside a private D-Bus session with gnome-keyring's Secret Service, so
# keychain tests use the real thing and never touch the user's own keyring.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
VENV=${VENV:-.venv}
export PATH="$PWD/$VENV/bin:$PATH"
export QT_QPA_PLATFORM=offscreen

echo "== ruff check";  ruff check .
echo "== ruff format"; ruff format --check .
echo "== mypy (strict, outside gui/)"; mypy
echo "== pytest"
dbus-run-session -- scripts/with-keyring.sh python -m pytest "$@"

# The shipped artefact: build the bundle and let it check itself. SKIP_BUNDLE=1 leaves
# it out (quick local runs); it is skipped too when pytest was given a selection.
if [ "${SKIP_BUNDLE:-0}" = "1" ] || [ $# -gt 0 ]; then
  echo "== bundle: skipped"
  exit 0
fi
echo "== bundle (packaging/linux/build.sh)"
PYTHON="$VENV/bin/python" packaging/linux/build.sh
echo "== bundle self-test"
dbus-run-session -- scripts/with-keyring.sh dist/PortfolioOS/portfolioos self-test
