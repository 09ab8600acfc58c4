#!/usr/bin/env bash
# SPDX-FileCopyrightText: Tessera contributors
# SPDX-License-Identifier: Apache-2.0
#
# Checks of the files installed beside the application, one CTest test per check:
#   check.sh desktop  SOURCE_DIR BINARY_DIR          desktop-file-validate; the name the app sets
#   check.sh metainfo SOURCE_DIR BINARY_DIR VERSION  appstreamcli validate (offline); ids; releases
#   check.sh icons    SOURCE_DIR BINARY_DIR SIZES…   every PNG size drawn, of its size
#   check.sh manpage  SOURCE_DIR TESSERA             every option of --help in the man page; groff
#   check.sh flatpak  SOURCE_DIR                     flatpak-builder reads the manifest
set -euo pipefail
check=$1 src=$2
shift 2
app_id=io.tessera.Tessera
TMPDIR_CHECK=$(mktemp -d)
trap 'rm -rf "$TMPDIR_CHECK"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
need() { command -v "$1" >/dev/null || fail "$1 is missing (Debian package $2; scripts/install-deps installs it)"; }

case "$check" in
  desktop)
    need desktop-file-validate desktop-file-utils
    desktop="$src/packaging/$app_id.desktop"
    out=$(desktop-file-validate "$desktop" 2>&1) || fail "desktop-file-validate: $out"
    [ -z "$out" ] || fail "desktop-file-validate is not clean: $out"
    # The application names its desktop file (Wayland app id, window grouping): the same name.
    grep -q "setDesktopFileName(QStringLiteral(\"$app_id\"))" "$src/host/app/main.cpp" \
      || fail "host/app/main.cpp does not set the desktop file name $app_id"
    grep -qx "Icon=$app_id" "$desktop" || fail "the desktop file's icon is not $app_id"
    grep -qx "Exec=tessera" "$desktop" || fail "the desktop file does not start tessera"
    echo "desktop file: clean, and named as the application names itself" ;;
  metainfo)
    need appstreamcli appstream
    bin=$1 version=$2
    metainfo="$bin/packaging/$app_id.metainfo.xml"
    # --no-net: the screenshot addresses are not fetched (this machine may have no Internet).
    out=$(appstreamcli validate --no-net --no-color "$metainfo" 2>&1) || fail "appstreamcli validate: $out"
    echo "$out"
    if echo "$out" | grep -qE '^(E|W):'; then fail "appstreamcli validate reports errors or warnings"; fi
    grep -q "<id>$app_id</id>" "$metainfo" || fail "the metainfo's id is not $app_id"
    grep -q "<launchable type=\"desktop-id\">$app_id.desktop</launchable>" "$metainfo" \
      || fail "the metainfo does not launch $app_id.desktop"
    newest=$(grep -o '<release version="[^"]*"' "$metainfo" | head -1 | cut -d'"' -f2)
    [ "$newest" = "$version" ] || fail "the newest release in the metainfo is $newest, not Tessera's version $version"
    grep -q '<screenshot type="default">' "$metainfo" || fail "the metainfo has no default screenshot"
    echo "metainfo: valid; newest release $newest" ;;
  icons)
    bin=$1
    shift
    [ -s "$src/packaging/icons/$app_id.svg" ] || fail "no scalable icon"
    for size in "$@"; do
      png="$bin/packaging/icons/${size}x${size}/$app_id.png"
      [ -s "$png" ] || fail "no ${size}x${size} icon: $png"
      dims=$(python3 -c 'import struct,sys; d=open(sys.argv[1],"rb").read(24); assert d[:8]==b"\x89PNG\r\n\x1a\n"; print("%dx%d" % struct.unpack(">II", d[16:24]))' "$png") \
        || fail "$png is not a PNG"
      [ "$dims" = "${size}x${size}" ] || fail "$png is $dims, not ${size}x${size}"
    done
    echo "icons: scalable and $# PNG sizes" ;;
  manpage)
    tessera=$1
    page="$src/packaging/tessera.1"
    options=$("$tessera" --help | grep -oE '(^|[[:space:]])--?[a-z][a-z-]+' | tr -d ' \t' | sort -u)
    [ -n "$options" ] || fail "tessera --help lists no options"
    missing=""
    for option in $options; do
      escaped=$(printf '%s' "$option" | sed 's/-/\\\\-/g')
      grep -qE "^\.(B|BI|BR|TP)? ?$escaped( |$)" "$page" || missing="$missing $option"
    done
    [ -z "$missing" ] || fail "options of tessera --help missing from packaging/tessera.1:$missing"
    if command -v man >/dev/null; then
      # What lintian's groff check does: any warning fails.
      warnings=$(LC_ALL=C.UTF-8 MANROFFSEQ='' MANWIDTH=80 man --warnings -E UTF-8 -l -Tutf8 -Z "$page" 2>&1 >/dev/null)
      [ -z "$warnings" ] || fail "groff warnings in packaging/tessera.1: $warnings"
    fi
    echo "man page: $(echo "$options" | wc -l) options, all documented" ;;
  flatpak)
    need flatpak-builder flatpak-builder
    manifest="$src/packaging/flatpak/$app_id.yml"
    # From a scratch directory: flatpak-builder leaves a .flatpak-builder folder where it runs.
    out=$(cd "$TMPDIR_CHECK" && flatpak-builder --show-manifest "$manifest" 2>"$TMPDIR_CHECK/flatpak.err") \
      || fail "flatpak-builder cannot read $manifest: $(cat "$TMPDIR_CHECK/flatpak.err")"
    # An unknown property is only a warning to flatpak-builder: here it is an error.
    [ ! -s "$TMPDIR_CHECK/flatpak.err" ] || fail "flatpak-builder warns about $manifest: $(cat "$TMPDIR_CHECK/flatpak.err")"
    echo "$out" | grep -q "\"id\" : \"$app_id\"" || fail "the manifest's id is not $app_id"
    echo "$out" | grep -q -- "-DTESSERA_AUTOMATION=OFF" || fail "the Flatpak would build in the tests' automation socket"
    echo "flatpak manifest: read by flatpak-builder" ;;
  *)
    fail "unknown check $check" ;;
esac
