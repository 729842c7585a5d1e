#!/bin/sh
# cmake --install into a folder and cpack -G DEB, then checks what each holds: the binary (which
# runs), the man page, the bash completion and the docs; and that the .deb names its libraries.
set -eu
build="$1"
work=$(mktemp -d /tmp/syncdoctor-package-XXXXXX)
trap 'rm -rf "$work"' EXIT

cmake --install "$build" --prefix "$work/prefix" > "$work/install.log"
for f in bin/syncdoctor share/man/man1/syncdoctor.1 share/bash-completion/completions/syncdoctor \
         share/doc/syncdoctor/README.md share/doc/syncdoctor/user-guide.md share/doc/syncdoctor/report-schema.md; do
  test -s "$work/prefix/$f" || { echo "install lacks $f"; exit 1; }
done
"$work/prefix/bin/syncdoctor" --version | grep -q '^syncdoctor [0-9]' || { echo "installed binary does not run"; exit 1; }
grep -q '^_syncdoctor()' "$work/prefix/share/bash-completion/completions/syncdoctor" || { echo "completion is not the script"; exit 1; }

(cd "$build" && cpack -G DEB -B "$work/deb" > "$work/cpack.log" 2>&1) || { cat "$work/cpack.log"; exit 1; }
deb=$(ls "$work"/deb/syncdoctor_*.deb)
dpkg-deb -c "$deb" > "$work/contents"
for f in ./usr/bin/syncdoctor ./usr/share/man/man1/syncdoctor.1 ./usr/share/bash-completion/completions/syncdoctor \
         ./usr/share/doc/syncdoctor/user-guide.md; do
  grep -q " $f\$" "$work/contents" || { echo "deb lacks $f"; cat "$work/contents"; exit 1; }
done
depends=$(dpkg-deb -f "$deb" Depends)
for lib in libre2 libsqlite3 libarchive libevtx libyaml-cpp libsimdjson libssl3; do
  echo "$depends" | grep -q "$lib" || { echo "deb does not depend on $lib: $depends"; exit 1; }
done
echo "package ok: $(basename "$deb"), $(wc -l < "$work/contents") entries"
