# pg-lib.sh: a real PostgreSQL server for the tests, from Debian's
# `postgresql` package (tests/deps.sh installs it). Sourced by a test (or by
# run.sh for the PostgreSQL pass):
#
#   pg_start DIR    initdb in DIR/data as an unprivileged user (nobody when
#                   run as root), start the server listening only on a unix
#                   socket in DIR/sock (listen_addresses=''), wait until it
#                   accepts connections; sets PGSOCK and PGBIN. The test's
#                   EXIT trap (pg_trap) stops it.
#   pg_stop         stop it (fast shutdown; idempotent)
#   pg_restart_immediate
#                   stop it the hard way (pg_ctl -m immediate, as a crash)
#                   and start it again
#   pg_uri NAME     a libpq connection string for database NAME as the
#                   cluster's superuser (the database is created by the
#                   first govgate command that writes to it)
#   pg_psql NAME SQL    psql as superuser on database NAME, tuples only
#   pg_map PATH     the database a test's SQLite path stands for in the
#                   PostgreSQL pass (GOVGATE_TEST_PG=1; see lib.sh)
#
# Authentication is `trust`, safe only because the socket lives in the
# test's own folder and nothing listens on TCP.

pg_bin() {
	for d in /usr/lib/postgresql/*/bin; do
		[ -x "$d/initdb" ] && PGBIN=$d
	done
	[ -n "${PGBIN:-}" ]
}

# pg_as CMD...: runs CMD as the server's user
pg_as() {
	if [ "$(id -u)" -eq 0 ]; then
		runuser -u nobody -- "$@"
	else
		"$@"
	fi
}

pg_start() {
	PGDIR=$1
	pg_bin || { echo "pg-lib: no /usr/lib/postgresql/*/bin/initdb (run tests/deps.sh)" >&2; return 1; }
	mkdir -p "$PGDIR/data" "$PGDIR/sock" "$PGDIR/log"
	if [ "$(id -u)" -eq 0 ]; then
		chown nobody "$PGDIR/data" "$PGDIR/sock" "$PGDIR/log"
		# nobody must reach the folder: let it traverse the parents that
		# are the test's own (up to the first one anybody may traverse)
		chmod o+x "$PGDIR"
		d=$(dirname "$PGDIR")
		while [ "$d" != / ] && [ -z "$(find "$d" -maxdepth 0 -perm -o+x)" ]; do
			chmod o+x "$d"
			d=$(dirname "$d")
		done
	fi
	pg_as "$PGBIN/initdb" -D "$PGDIR/data" -U postgres --auth=trust -E UTF8 --no-locale \
		>"$PGDIR/initdb.log" 2>&1 || { cat "$PGDIR/initdb.log" >&2; return 1; }
	PGSOCK=$PGDIR/sock
	export PGSOCK PGBIN PGDIR
	pg_run_server
}

pg_run_server() {
	pg_as "$PGBIN/pg_ctl" -D "$PGDIR/data" -l "$PGDIR/log/server.log" -w -t 60 \
		-o "-c listen_addresses='' -k $PGSOCK -c max_connections=100 -c synchronous_commit=on -c fsync=on" \
		start >/dev/null 2>&1 || { tail -20 "$PGDIR/log/server.log" >&2; return 1; }
}

pg_stop() {
	[ -n "${PGDIR:-}" ] && [ -e "$PGDIR/data/postmaster.pid" ] &&
		pg_as "$PGBIN/pg_ctl" -D "$PGDIR/data" -m fast -w stop >/dev/null 2>&1
	return 0
}

pg_restart_immediate() {
	pg_as "$PGBIN/pg_ctl" -D "$PGDIR/data" -m immediate -w stop >/dev/null 2>&1
	pg_run_server
}

pg_trap() {
	trap pg_stop EXIT
	trap 'pg_stop; exit 1' INT TERM HUP
}

pg_uri() {
	echo "host=$PGSOCK dbname=$1 user=postgres"
}

pg_psql() {
	"$PGBIN/psql" -X -q -t -A -v ON_ERROR_STOP=1 -h "$PGSOCK" -U postgres -d "$1" -c "$2"
}

pg_map() {
	echo "host=$GOVGATE_TEST_PGHOST dbname=gt_$(printf %s "$1" | md5sum | cut -c1-20) user=postgres"
}
