#!/bin/sh
# Install (or update, or remove) Fieldmark for the current user, from the unpacked archive this
# script ships in. No administrator rights: everything goes under PREFIX (default ~/.local).
#
#   ./install.sh [--prefix DIR]       install, or replace an installed version
#   ./install.sh --uninstall [--prefix DIR]
#
# The inspector's data folder (~/.local/share/Fieldmark) is never touched: an update keeps every
# visit, and the new version migrates the profile itself, with a backup first.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
prefix="${HOME}/.local"
action=install
while [ $# -gt 0 ]; do
	case "$1" in
	--prefix) prefix="$2"; shift 2 ;;
	--prefix=*) prefix="${1#--prefix=}"; shift ;;
	--uninstall) action=uninstall; shift ;;
	-h|--help) sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "install.sh: unknown option $1 (try --help)" >&2; exit 2 ;;
	esac
done

lib="$prefix/lib/fieldmark"
bin="$prefix/bin/fieldmark"
entry="$prefix/share/applications/fieldmark.desktop"
icons="$prefix/share/icons/hicolor"

refresh_menus() {
	command -v update-desktop-database >/dev/null 2>&1 && update-desktop-database -q "$prefix/share/applications" || true
	command -v gtk-update-icon-cache >/dev/null 2>&1 && gtk-update-icon-cache -q -t "$icons" || true
}

if [ "$action" = uninstall ]; then
	rm -rf "$lib" "$lib.new" "$lib.old"
	rm -f "$bin" "$entry"
	for png in "$icons"/*/apps/fieldmark.png; do [ -e "$png" ] && rm -f "$png"; done
	refresh_menus
	echo "Fieldmark removed from $prefix (the data folder is kept)"
	exit 0
fi

[ -x "$here/app/fieldmark" ] || { echo "install.sh: no app/fieldmark beside this script: unpack the whole archive" >&2; exit 1; }
mkdir -p "$prefix/lib" "$prefix/bin" "$prefix/share/applications"
# Copied beside the old version first, then swapped: an interrupted copy leaves the installed
# version as it was, and the swap itself is two renames.
rm -rf "$lib.new" "$lib.old"
cp -R "$here/app" "$lib.new"
[ -d "$lib" ] && mv "$lib" "$lib.old"
mv "$lib.new" "$lib"
rm -rf "$lib.old"
ln -sf "$lib/fieldmark" "$bin"
# The menu entry names the installed executable itself, so it starts even when PREFIX/bin is
# not on the desktop session's PATH.
sed "s|^Exec=fieldmark\$|Exec=$lib/fieldmark|" "$here/share/applications/fieldmark.desktop" > "$entry.tmp"
mv "$entry.tmp" "$entry"
for png in "$here"/share/icons/hicolor/*/apps/fieldmark.png; do
	size=$(basename "$(dirname "$(dirname "$png")")")
	mkdir -p "$icons/$size/apps"
	cp "$png" "$icons/$size/apps/fieldmark.png"
done
refresh_menus
echo "Fieldmark $("$lib/fieldmark" --version 2>/dev/null | sed 's/^fieldmark //') installed in $lib"
