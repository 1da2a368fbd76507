#!/bin/bash
# Builds a stand-in for eclipse-temurin:17-jre from this machine's own files (no registry can be
# reached here): the host's Java 17 runtime at /opt/java/openjdk (as Temurin lays it out), bash and
# dash, each binary's libraries, /tmp and a minimal /etc; imported with `docker import`.
# Usage: build-jre-base.sh JAVA_HOME TAG
set -euo pipefail
jdk=$1
tag=$2
root=$(mktemp -d /tmp/vncgate-jre-base.XXXXXX)
trap 'rm -rf "$root"' EXIT
[ -x "$jdk/bin/java" ] || { echo "build-jre-base: $jdk/bin/java not found" >&2; exit 1; }
java=$root/opt/java/openjdk
mkdir -p "$java/bin"
cp -L "$jdk/bin/java" "$java/bin/"
cp -rL "$jdk/conf" "$java/"
# the runtime's lib/ without the compiler's symbol table (ct.sym, 60 MB) and the GUI libraries
(cd "$jdk" && find -L lib -type f ! -name ct.sym ! -name 'libawt_xawt.so' ! -name 'libsplashscreen.so' \
   ! -name 'libatk-wrapper.so' ! -name 'libjawt.so' ! -name 'libjsound.so' -print0) \
  | (cd "$jdk" && xargs -0 cp -L --parents -t "$java")
[ -f "$jdk/release" ] && cp -L "$jdk/release" "$java/"
bins=("$java/bin/java" /bin/bash /bin/dash)
for so in $(find "$java/lib" -name '*.so'); do bins+=("$so"); done
for b in "${bins[@]}"; do
  case $b in "$root"/*) ;; *) cp -L --parents "$b" "$root" ;; esac
  for lib in $(ldd "$b" 2>/dev/null | grep -o '/[^ )]*' || true); do
    [ -e "$root$lib" ] || cp -L --parents "$lib" "$root"
  done
done
cp -L --parents /lib64/ld-linux-x86-64.so.2 "$root"
# the rest of glibc a full base image has: native code the gateway unpacks at run time (Netty's epoll
# transport, JNA) links against these
for lib in libdl.so.2 libpthread.so.0 librt.so.1 libresolv.so.2 libnss_files.so.2 libnss_dns.so.2; do
  for d in /lib/x86_64-linux-gnu /usr/lib/x86_64-linux-gnu; do
    if [ -e "$d/$lib" ] && [ ! -e "$root$d/$lib" ]; then cp -L --parents "$d/$lib" "$root"; break; fi
  done
done
ln -sf dash "$root/bin/sh"
mkdir -p "$root/tmp" "$root/etc" "$root/root"
chmod 1777 "$root/tmp"
echo 'root:x:0:0:root:/root:/bin/sh' > "$root/etc/passwd"
echo 'root:x:0:' > "$root/etc/group"
tar -C "$root" -c . | docker import \
  -c 'ENV JAVA_HOME=/opt/java/openjdk' \
  -c 'ENV PATH=/opt/java/openjdk/bin:/usr/bin:/bin' \
  - "$tag" >/dev/null
