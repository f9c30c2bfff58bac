#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The Debian package serves an outside project on its own: builds it with
# CPack, unpacks it (dpkg-deb -x) into a fresh prefix, and builds two outside
# programs against that prefix alone -- a producer with pkg-config
# (cfconform-reference-ws) and a checker of one event with find_package
# (cfconform::checker) -- then runs them, and certify from the moved tree.
#   package_test.sh SOURCE_DIR BUILD_DIR CC VERSION [EXTRA_CFLAGS]
set -euo pipefail
src=$1 build=$2 cc=$3 version=$4 extra=${5:-}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# 1. The package, versioned from project().
(cd "$build" && cpack -G DEB -B "$tmp/pkg" >"$tmp/cpack.log" 2>&1) || { cat "$tmp/cpack.log"; fail "cpack"; }
deb=$(ls "$tmp"/pkg/*.deb)
echo "built $(basename "$deb")"
[ "$(dpkg-deb -f "$deb" Package)" = cfconform ] || fail "package name"
[ "$(dpkg-deb -f "$deb" Version)" = "$version" ] || fail "package version $(dpkg-deb -f "$deb" Version) != $version"
dpkg-deb -f "$deb" Depends | grep -q libcjson || fail "Depends lacks libcjson: $(dpkg-deb -f "$deb" Depends)"

# 2. Unpacked into a fresh prefix.
dpkg-deb -x "$deb" "$tmp/root"
P=$tmp/root/usr
libdir=$(dirname "$(find "$P" -name libcfc_checker.so -print -quit)")
[ -n "$libdir" ] && [ -d "$libdir" ] || fail "no libcfc_checker.so in the package"
major_minor=${version%.*}
for lib in cfc_reference cfc_reference_ws cfc_checker cfc_conformance; do
  [ -f "$libdir/lib$lib.a" ] || fail "no static lib$lib.a"
  soname=$(readelf -d "$libdir/lib$lib.so" | sed -n 's/.*Library soname: \[\(.*\)\]/\1/p')
  [ "$soname" = "lib$lib.so.$major_minor" ] || fail "lib$lib.so SONAME '$soname'"
  [ -f "$libdir/lib$lib.so.$version" ] || fail "no lib$lib.so.$version"
done
if readelf -d "$libdir/libcfc_checker.so" | grep -q websockets; then
  fail "the checker library needs libwebsockets"
fi
for f in bin/cfconform bin/cfc-demo include/cfc/check.h include/cfc/version.h \
         include/cfc/rules.def share/cfconform/certification/catalogue.json \
         share/cfconform/docs/contract-rules.md share/man/man1/cfconform-check.1 \
         share/bash-completion/completions/cfconform; do
  [ -e "$P/$f" ] || fail "missing $f"
done
[ "$("$P/bin/cfconform" --version)" = "cfconform $version" ] || fail "--version"
grep -q "#define CFC_VERSION \"$version\"" "$P/include/cfc/version.h" || fail "version.h"

# 3. certify reads the catalogue installed beside it (marked, to tell it from
# the source tree's), and $CFCONFORM_CATALOGUE wins over that.
cat="$P/share/cfconform/certification/catalogue.json"
sed -i 's/"version": "\([^"]*\)"/"version": "\1-installed"/' "$cat"
# (A --cases subset that passes is "partial": exit 3.)
rc=0
out=$("$P/bin/cfconform" certify --quiet --cases 1.1 --adapter "$P/bin/cfc-adapter-reference") || rc=$?
echo "$out"
[ $rc = 3 ] || fail "certify --cases 1.1 exited $rc, not 3 (partial, clean)"
echo "$out" | grep -q -- "-installed (sha256" || fail "certify did not read the installed catalogue"
sed 's/-installed"/-env"/' "$cat" > "$tmp/env-catalogue.json"
out=$(CFCONFORM_CATALOGUE="$tmp/env-catalogue.json" "$P/bin/cfconform" certify --quiet --cases 1.1 \
      --adapter "$P/bin/cfc-adapter-reference") || true
echo "$out" | grep -q -- "-env (sha256" || fail "CFCONFORM_CATALOGUE was not used"
# The same for certify --consumer: its samples are found beside the moved
# executable (before: a path fixed at build time, gone with the build tree),
# and $CFCONFORM_CONSUMER_SAMPLES wins over them.
samples="$P/share/cfconform/consumer/samples.json"
[ -e "$samples" ] || fail "missing share/cfconform/consumer/samples.json"
sed -i 's/"version": "\([^"]*\)"/"version": "\1-installed"/' "$samples"
rc=0
out=$("$P/bin/cfconform" certify --consumer --quiet --cases 1.1 \
      --adapter "$P/bin/cfc-consumer-reference") || rc=$?
echo "$out"
[ $rc = 3 ] || fail "certify --consumer --cases 1.1 exited $rc, not 3 (partial, clean)"
echo "$out" | grep -q -- "-installed (sha256" || fail "certify --consumer did not read the installed samples"
sed 's/-installed"/-env"/' "$samples" > "$tmp/env-samples.json"
out=$(CFCONFORM_CONSUMER_SAMPLES="$tmp/env-samples.json" "$P/bin/cfconform" certify --consumer \
      --quiet --cases 1.1 --adapter "$P/bin/cfc-consumer-reference") || true
echo "$out" | grep -q -- "-env (sha256" || fail "CFCONFORM_CONSUMER_SAMPLES was not used"

# 4. The producer, with pkg-config and nothing else.
export PKG_CONFIG_PATH=$libdir/pkgconfig
flags=$(pkg-config --cflags --libs cfconform-reference-ws)
echo "pkg-config: $flags"
case "$flags" in *"$src"*|*"$build"*) fail "pkg-config points into the source or build tree" ;; esac
"$cc" $extra -std=c11 -Wall -Wextra -Werror "$src/tests/package/producer.c" $flags -o "$tmp/producer"
[ "$(pkg-config --modversion cfconform-checker)" = "$version" ] || fail "pkg-config version"

# 5. The checker, with find_package and nothing else.
cmake -S "$src/tests/package" -B "$tmp/consumer" -DCMAKE_PREFIX_PATH="$P" \
  -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF -DCMAKE_C_COMPILER="$cc" -DCMAKE_C_FLAGS="$extra" \
  >"$tmp/cmake.log" 2>&1 || { cat "$tmp/cmake.log"; fail "find_package(cfconform)"; }
grep -q "cfconform_DIR:PATH=$libdir/cmake/cfconform" "$tmp/consumer/CMakeCache.txt" \
  || fail "find_package found another cfconform: $(grep cfconform_DIR "$tmp/consumer/CMakeCache.txt")"
cmake --build "$tmp/consumer" >"$tmp/build.log" 2>&1 || { cat "$tmp/build.log"; fail "consumer build"; }

# 6. Producer into checker: conforming; a broken event: findings, exit 1.
export LD_LIBRARY_PATH=$libdir
"$tmp/producer" > "$tmp/event.ndjson"
out=$("$tmp/consumer/check_one" < "$tmp/event.ndjson") || fail "the producer's event did not conform: $out"
echo "$out"
[ "$out" = "agent_created: 0 errors, 0 warnings" ] || fail "check_one said: $out"
rc=0
out=$(echo '{"type":"agent_created","project_id":1}' | "$tmp/consumer/check_one") || rc=$?
[ $rc = 1 ] || fail "a broken event gave exit $rc: $out"
echo "$out" | grep -q "^missing-field " || fail "no missing-field finding: $out"
echo "package: ok"
