#!/bin/sh
# Debian's Chromium (and a font for its text), for the validation report's browser check and the
# screenshot of its first page. playwright-core drives it at /usr/bin/chromium; no browser is
# ever downloaded by playwright itself. Does nothing when Chromium is already there.
set -eu
if [ -x /usr/bin/chromium ]; then
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; fi
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
/usr/bin/chromium --version
