#!/bin/bash
# Builds a small desktop image from this machine's own files — no registry is contacted:
# TigerVNC's Xtigervnc with xkbcomp, the keymaps, dash and cat (the docker provider reads the VNC
# password file with `cat` through the exec API), each program's libraries, and a minimal /etc.
# Usage: build-desktop-image.sh TAG   (imports the folder with `docker import`)
set -euo pipefail
tag=$1
root=$(mktemp -d /tmp/vncgate-desktop-image.XXXXXX)
trap 'rm -rf "$root"' EXIT
xvnc=$(command -v Xtigervnc || echo /usr/bin/Xtigervnc)
for b in "$xvnc" /usr/bin/xkbcomp /bin/dash /bin/cat; do
  [ -x "$b" ] || { echo "build-desktop-image: $b not found (tigervnc-standalone-server, x11-xkb-utils, dash, coreutils)" >&2; exit 1; }
  cp -L --parents "$b" "$root"
  for lib in $(ldd "$b" | grep -o '/[^ )]*'); do cp -L --parents "$lib" "$root"; done
done
cp -L --parents /lib64/ld-linux-x86-64.so.2 "$root"
mkdir -p "$root/usr/share/X11" && cp -a /usr/share/X11/xkb "$root/usr/share/X11/"
if [ -f /usr/lib/xorg/protocol.txt ]; then mkdir -p "$root/usr/lib/xorg" && cp /usr/lib/xorg/protocol.txt "$root/usr/lib/xorg/"; fi
mkdir -p "$root/etc/vnc" "$root/tmp" "$root/var/lib/xkb" "$root/root"
chmod 1777 "$root/tmp"
ln -sf dash "$root/bin/sh"
echo 'root:x:0:0:root:/root:/bin/sh' > "$root/etc/passwd"
echo 'root:x:0:' > "$root/etc/group"
# -retro: X's classic grey weave as the background, so a screen that arrived is not all black
tar -C "$root" -c . | docker import \
  -c 'ENTRYPOINT ["/usr/bin/Xtigervnc"]' \
  -c 'CMD [":0", "-rfbport", "5900", "-SecurityTypes", "VncAuth", "-PasswordFile", "/etc/vnc/passwd", "-geometry", "800x600", "-depth", "24", "-retro"]' \
  - "$tag" >/dev/null
