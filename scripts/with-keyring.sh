#!/usr/bin/env bash
# Run a command with an unlocked gnome-keyring Secret Service on the current D-Bus
# session (start it under `dbus-run-session`). Used by the test command only.
# PORTFOLIOOS_TEST_KEYRING=1 tells the tests this Secret Service is a throwaway one,
# so keychain tests may write to it (they never run against a user's own keyring).
set -euo pipefail
if command -v gnome-keyring-daemon >/dev/null 2>&1 && [ -n "${DBUS_SESSION_BUS_ADDRESS:-}" ]; then
  export XDG_DATA_HOME="${XDG_DATA_HOME:-$(mktemp -d)}"
  if eval "$(printf 'test-only-password' | gnome-keyring-daemon --unlock --components=secrets 2>/dev/null)"; then
    export GNOME_KEYRING_CONTROL
    export PORTFOLIOOS_TEST_KEYRING=1
  fi
fi
exec "$@"
