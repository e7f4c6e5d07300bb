#!/bin/sh
# Installs the Debian packages govgate's build, demo and tests need, if any
# is missing. Safe to run repeatedly; does nothing when all are present.
set -e
PKGS="build-essential pkg-config libyaml-dev libpcre2-dev libssl-dev openssl
libsqlite3-dev sqlite3 check valgrind minisign golang-go golang-golang-x-mod-dev
prometheus python3 libxml2-utils"
# the audit log on PostgreSQL: libpq to build, a server for the tests
# (tests/cli/pg-lib.sh runs its initdb and postgres as an unprivileged user)
PKGS="$PKGS libpq-dev postgresql"
missing=""
# the schema tests (tests/schemas/validate.py, tests/cli/t166-schemas.sh)
PKGS="$PKGS python3-jsonschema python3-yaml"
# the JUnit output read by a JUnit library (tests/cli/t190-ci-formats.sh)
PKGS="$PKGS python3-junitparser"
# the man pages and completions (tests/cli/t195-cli-help-man.sh): man and
# groff's warnings, mandoc's lint, zsh to parse the zsh completion
PKGS="$PKGS man-db groff-base mandoc zsh"
# GNU time, the peak RSS of a command (tests/cli/t373-pg-verify-rss.sh)
PKGS="$PKGS time"
# script(1), a terminal for the progress and colour tests (t108, t130)
PKGS="$PKGS bsdutils"
# the SARIF schema check (tests/cli/t190-ci-formats.sh runs npm ci in
# tests/sarif; without npm it skips that check and says so); any npm will
# do, and Debian's conflicts with a NodeSource nodejs, so only when missing
command -v npm > /dev/null 2>&1 || PKGS="$PKGS nodejs npm"
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "deps: installing$missing"
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO=sudo
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing
