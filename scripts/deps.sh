#!/usr/bin/env bash
# Installs the Debian 12 packages syncdoctor needs to build and test, when they are missing.
# Sourced by scripts/demo and scripts/test; safe to run again (it only installs what is absent).
set -euo pipefail

SYNCDOCTOR_BUILD_PACKAGES=(
  g++ cmake ninja-build pkg-config
  libboost-program-options-dev libre2-dev libsimdjson-dev libsqlite3-dev
  libarchive-dev libyaml-cpp-dev libevtx-dev libbfio-dev libssl-dev libdeflate-dev
)
# chromium renders the HTML report; groff-base checks the man page; dpkg-dev gives cpack
# dpkg-shlibdeps for the .deb; bsdutils has script(1), which gives the progress test a terminal;
# poppler-utils has pdftotext, which reads back the HTML report printed to PDF.
SYNCDOCTOR_TEST_PACKAGES=(catch2 zlib1g-dev clang libclang-rt-14-dev python3 zip chromium groff-base dpkg-dev bsdutils poppler-utils)

# syncdoctor_install_missing PACKAGE...: apt-get installs those not yet installed.
syncdoctor_install_missing() {
  local missing=()
  local p
  for p in "$@"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
      missing+=("$p")
    fi
  done
  if [ ${#missing[@]} -eq 0 ]; then
    return 0
  fi
  echo "syncdoctor: installing missing packages: ${missing[*]}" >&2
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then sudo="sudo"; else
      echo "syncdoctor: error: need root (or sudo) to install: ${missing[*]}" >&2
      return 1
    fi
  fi
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -q
  $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
}
