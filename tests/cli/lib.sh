# Helpers for the end-to-end tests. Each tests/cli/t*.sh is run by run.sh
# with GG set to the govgate binary, ROOT to the repository and T to a fresh
# scratch folder. Every helper asserts an exact outcome.

# The PostgreSQL pass (run.sh with GOVGATE_TEST_PG=1 and a server at
# GOVGATE_TEST_PGHOST): $GG becomes tests/cli/pg-gg.sh, which runs the same
# commands with each SQLite path mapped to a database of that server.
if [ -n "${GOVGATE_TEST_PG:-}" ] && [ -z "${GV_REAL_GG:-}" ]; then
	GV_REAL_GG=$GG
	GG=$T/.govgate-pg
	# the server is named here too: a test may run $GG under env -i
	printf '#!/bin/sh\nGOVGATE_TEST_PGHOST="%s" exec sh "%s/tests/cli/pg-gg.sh" "%s" "$@"\n' \
		"$GOVGATE_TEST_PGHOST" "$ROOT" "$GV_REAL_GG" > "$GG"
	chmod +x "$GG"
fi

# db_sql DB SQL: runs SQL on a test's database, on the backend of the pass
# (sqlite3, or psql as superuser on the database pg_map names, with
# group_concat and hex written as PostgreSQL spells them).
db_sql() {
	if [ -n "${GOVGATE_TEST_PG:-}" ]; then
		printf '%s\n' "$2" |
			sed -e "s/group_concat(\([^()]*\(([^()]*)\)*[^()]*\))/string_agg((\1)::text, ',')/g" \
			    -e "s/hex(\([a-z_]*\))/upper(encode(\1, 'hex'))/g" |
			"$(ls -d /usr/lib/postgresql/*/bin | tail -1)/psql" -X -q -t -A -v ON_ERROR_STOP=1 \
				"$(. "$ROOT/tests/cli/pg-lib.sh"; pg_map "$1")" -f -
	else
		sqlite3 "$1" "$2"
	fi
}
# db_tamper DB SQLITE_SQL PG_SQL: a superuser's edit of the database, in
# each backend's dialect.
db_tamper() {
	if [ -n "${GOVGATE_TEST_PG:-}" ]; then db_sql "$1" "$3"; else sqlite3 "$1" "$2"; fi
}
# db_copy SRC DST: a copy of a test's database (a file copy, or CREATE
# DATABASE ... TEMPLATE).
db_copy() {
	if [ -n "${GOVGATE_TEST_PG:-}" ]; then
		_s=$(. "$ROOT/tests/cli/pg-lib.sh"; pg_map "$1" | sed 's/.*dbname=\([^ ]*\).*/\1/')
		_d=$(. "$ROOT/tests/cli/pg-lib.sh"; pg_map "$2" | sed 's/.*dbname=\([^ ]*\).*/\1/')
		PGOPTIONS='-c client_min_messages=warning' \
		"$(ls -d /usr/lib/postgresql/*/bin | tail -1)/psql" -X -q -v ON_ERROR_STOP=1 \
			-h "$GOVGATE_TEST_PGHOST" -U postgres -d postgres \
			-c "DROP DATABASE IF EXISTS $_d" -c "CREATE DATABASE $_d TEMPLATE $_s" >/dev/null
	else
		rm -f "$2" "$2-wal" "$2-shm"
		cp "$1" "$2"
	fi
}
# db_dump DB: every row of a test's database, for before/after comparisons
db_dump() {
	if [ -n "${GOVGATE_TEST_PG:-}" ]; then
		# the rows (a rolled-back insert still advances an identity sequence)
		"$(ls -d /usr/lib/postgresql/*/bin | tail -1)/pg_dump" -a \
			"$(. "$ROOT/tests/cli/pg-lib.sh"; pg_map "$1")" | grep -v -e 'pg_catalog.setval' -e '^.restrict' -e '^.unrestrict'
	else
		sqlite3 "$1" .dump
	fi
}

fail() {
	echo "FAIL: $TEST_NAME: $*" >&2
	echo fail >> "$RESULTS"
	return 1
}
pass() {
	echo pass >> "$RESULTS"
}

# run CMD...: runs govgate (under valgrind when GOVGATE_VALGRIND is set),
# keeping stdout in $T/out, stderr in $T/err and the status in $rc.
run() {
	if [ -n "${GOVGATE_VALGRIND:-}" ]; then
		valgrind -q --error-exitcode=99 --leak-check=full \
			--errors-for-leak-kinds=definite "$GG" "$@" >"$T/out" 2>"$T/err"
	else
		"$GG" "$@" >"$T/out" 2>"$T/err"
	fi
	rc=$?
}

# expect_rc N DESCRIPTION -- CMD...
expect_rc() {
	want=$1; TEST_NAME=$2; shift 3
	run "$@"
	if [ "$rc" -ne "$want" ]; then
		fail "exit $rc, want $want (govgate $*)"
		sed 's/^/    err: /' "$T/err" | head -20 >&2
		return 1
	fi
	pass
}

# expect_out PATTERN DESCRIPTION: grep -E on the last stdout
expect_out() {
	TEST_NAME=$2
	grep -Eq -- "$1" "$T/out" && pass || { fail "stdout lacks /$1/"; head -30 "$T/out" >&2; }
}
expect_err() {
	TEST_NAME=$2
	grep -Eq -- "$1" "$T/err" && pass || { fail "stderr lacks /$1/"; head -30 "$T/err" >&2; }
}
expect_no_out() {
	TEST_NAME=$2
	grep -Eq -- "$1" "$T/out" && { fail "stdout has /$1/"; return 1; } || pass
}
# expect_eq GOT WANT DESCRIPTION
expect_eq() {
	TEST_NAME=$3
	[ "$1" = "$2" ] && pass || fail "got '$1', want '$2'"
}
