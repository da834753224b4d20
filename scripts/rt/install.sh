#!/usr/bin/env bash
# Install Request Tracker 5 from Debian, non-interactively, for itsmctl's live RT tests and
# benchmark. Nothing is configured system-wide beyond what the packages do: the test
# instances keep their configuration, database and logs in a temporary folder
# (scripts/rt/instance.py). Needs root (or sudo) and a Debian 12 (bookworm) or later.
#
#   bash scripts/rt/install.sh          # idempotent: does nothing when RT 5 is there
set -euo pipefail

PACKAGES=(request-tracker5 rt5-standalone rt5-db-sqlite sqlite3 curl)
RT_SERVER=/usr/share/request-tracker5/libexec/rt-server

if [ -x "$RT_SERVER" ] && [ -x /usr/sbin/rt-setup-database-5 ] \
   && dpkg-query -W -f='${Status}' rt5-db-sqlite 2>/dev/null | grep -q 'ok installed'; then
  echo "Request Tracker 5 is installed ($(dpkg-query -W -f='${Version}' request-tracker5))"
  exit 0
fi

SUDO=()
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "install.sh: run as root (or install sudo)" >&2; exit 2; }
  SUDO=(sudo)
fi

# Answer every question the packages ask before they ask it: no database set-up by
# dbconfig (the tests make their own SQLite file), no cron jobs, a loopback URL, and a
# mail system that delivers locally only.
"${SUDO[@]}" debconf-set-selections <<'SEL'
request-tracker5 request-tracker5/dbconfig-install boolean false
request-tracker5 request-tracker5/install-cronjobs boolean false
request-tracker5 request-tracker5/webbaseurl string http://127.0.0.1:8080
request-tracker5 request-tracker5/rtname string itsmctl-test
request-tracker5 request-tracker5/organization string itsmctl.test
request-tracker5 request-tracker5/correspondaddress string rt@itsmctl.test
request-tracker5 request-tracker5/commentaddress string rt-comment@itsmctl.test
exim4-config exim4/dc_eximconfig_configtype select local delivery only; not on a network
SEL

APT=("${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -q -y
     -o DPkg::Lock::Timeout=900 -o Dpkg::Options::=--force-confdef
     -o Dpkg::Options::=--force-confold)
"${APT[@]}" update
"${APT[@]}" install --no-install-recommends "${PACKAGES[@]}"
echo "Request Tracker 5 installed ($(dpkg-query -W -f='${Version}' request-tracker5))"
