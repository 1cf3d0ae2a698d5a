#!/usr/bin/env bash
# Run a command with an unlocked gnome-keyring Secret Service on the current D-Bus
# session (start it under `dbus-run-session`). Used by the test command only.
set -euo pipefail
if command -v gnome-keyring-daemon >/dev/null 2>&1 && [ -n "${DBUS_SESSION_BUS_ADDRESS:-}" ]; then
  export XDG_DATA_HOME="${XDG_DATA_HOME:-$(mktemp -d)}"
  eval "$(printf 'test-only-password' | gnome-keyring-daemon --unlock --components=secrets 2>/dev/null)" || true
  export GNOME_KEYRING_CONTROL
fi
exec "$@"
