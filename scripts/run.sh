#!/usr/bin/env bash
# Open PortfolioOS. Without a display (a server, a container) it runs under Xvfb.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}
args=("$@")
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ] && [ -z "${QT_QPA_PLATFORM:-}" ]; then
  echo "run: no display found; starting the window on a virtual screen (xvfb-run)" >&2
  exec xvfb-run -a -s "-screen 0 1400x900x24" "$VENV/bin/portfolioos" "${args[@]}"
fi
exec "$VENV/bin/portfolioos" "${args[@]}"
