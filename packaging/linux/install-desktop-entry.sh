#!/usr/bin/env bash
# Add PortfolioOS to this user's application menu (no root needed): a launcher in
# ~/.local/bin, the .desktop file, icons and AppStream metadata under ~/.local/share.
# Run it from the unpacked bundle; run it again after moving the folder.
# `install-desktop-entry.sh --uninstall` removes what it added.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
APP_ID=io.github.portfolioos.PortfolioOS
DATA=${XDG_DATA_HOME:-$HOME/.local/share}
BIN=$HOME/.local/bin

if [ "${1:-}" = "--uninstall" ]; then
  rm -f "$BIN/portfolioos" "$DATA/applications/$APP_ID.desktop" "$DATA/metainfo/$APP_ID.metainfo.xml"
  rm -f "$DATA"/icons/hicolor/*/apps/"$APP_ID".png
  echo "PortfolioOS removed from the menu (the bundle folder and your data are untouched)"
  exit 0
fi

mkdir -p "$BIN"
ln -sf "$HERE/portfolioos" "$BIN/portfolioos"
(cd "$HERE/share" && find . -type f) | while read -r f; do
  install -Dm644 "$HERE/share/$f" "$DATA/$f"
done
sed -i "s|^Exec=portfolioos|Exec=$HERE/portfolioos|; s|^TryExec=portfolioos|TryExec=$HERE/portfolioos|" \
  "$DATA/applications/$APP_ID.desktop"
command -v update-desktop-database >/dev/null 2>&1 && update-desktop-database -q "$DATA/applications" || true
command -v gtk-update-icon-cache >/dev/null 2>&1 && gtk-update-icon-cache -q -t "$DATA/icons/hicolor" || true
echo "PortfolioOS added to the application menu; 'portfolioos' is in $BIN"
