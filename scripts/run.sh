#!/usr/bin/env bash
# Open PortfolioOS. Without a display (a server, a container) it runs under Xvfb.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}
args=()
no_demo=0
for a in "$@"; do
  if [ "$a" = "--no-demo" ]; then no_demo=1; else args+=("$a"); fi
done
# A plain start on a data folder without accounts opens the demo instead of an empty
# window (a temporary folder with a sample portfolio; the real folder is not touched).
if [ ${#args[@]} -eq 0 ] && [ $no_demo -eq 0 ]; then
  accounts=$("$VENV/bin/portfolioos" accounts list --json 2>/dev/null || echo "?")
  if [ "$(echo "$accounts" | tr -d '[:space:]')" = "[]" ]; then
    echo "run: no accounts in your data folder yet, so this opens the demo (--demo):" >&2
    echo "run: a sample portfolio in a temporary folder, deleted when the window closes." >&2
    echo "run: to start with your own data: scripts/run.sh --no-demo, add an account on" >&2
    echo "run: the Accounts page, then import your broker's CSV on the Import page" >&2
    echo "run: (once an account exists, plain scripts/run.sh opens your data)." >&2
    args=(--demo)
  fi
fi
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ] && [ -z "${QT_QPA_PLATFORM:-}" ]; then
  echo "run: no display found; starting the window on a virtual screen (xvfb-run)" >&2
  exec xvfb-run -a -s "-screen 0 1400x900x24" "$VENV/bin/portfolioos" "${args[@]}"
fi
exec "$VENV/bin/portfolioos" "${args[@]}"
