#!/bin/sh
# pg-gg.sh REAL ARGS...: the govgate of the PostgreSQL pass (lib.sh makes
# $GG this script when GOVGATE_TEST_PG=1). Every SQLite path given to --db
# (and a path given to --from or --to), and $GOVGATE_DB, becomes the
# PostgreSQL database that pg_map names for it; the output names the path
# again, so that the same assertions hold on both backends.
. "$(dirname "$0")/pg-lib.sh"
REAL=$1
shift
MAPS=""
# map PATH: sets M to the connection string for PATH and remembers the pair
map() {
	case "$1" in
	-|postgres://*|postgresql://*|host=*) M=$1; return ;;
	esac
	M=$(pg_map "$1")
	MAPS="$MAPS$1	$M
"
}
# plan_map PLAN: while govgate runs, the deployment plan's `db:` paths
# (evidence and sync) name the mapped databases; the plan is restored after
plan_map() {
	grep -Eq '^ *db: [^ ]+\.db$' "$1" 2>/dev/null || return
	PLAN=$1
	cp -p "$1" "$tmp/plan.orig"
	: > "$tmp/plan.new"
	while IFS= read -r line; do
		case "$line" in
		*" db: "*.db)
			ind=${line%%db: *}
			map "${line#*db: }"
			printf '%sdb: "%s"\n' "$ind" "$M" >> "$tmp/plan.new" ;;
		*) printf '%s\n' "$line" >> "$tmp/plan.new" ;;
		esac
	done < "$1"
	cat "$tmp/plan.new" > "$1"
}
tmp=$(mktemp -d)
PLAN=""
trap 'rm -rf "$tmp"' EXIT
n=$#
i=0
prev=""
while [ $i -lt $n ]; do
	a=$1
	shift
	case "$prev" in
	--db) map "$a"; a=$M ;;
	--from|--to) case "$a" in */*|*.db) map "$a"; a=$M ;; esac ;;
	--plan) plan_map "$a" ;;
	esac
	case "$a" in
	--db=*) map "${a#--db=}"; a="--db=$M" ;;
	esac
	set -- "$@" "$a"
	prev=$a
	i=$((i + 1))
done
if [ -n "${GOVGATE_DB:-}" ]; then
	map "$GOVGATE_DB"
	GOVGATE_DB=$M
	export GOVGATE_DB
fi
if [ -z "$MAPS" ]; then
	rm -rf "$tmp"
	unset GOVGATE_TEST_PGHOST GOVGATE_TEST_PG
	exec "$REAL" "$@"
fi
unset GOVGATE_TEST_PGHOST GOVGATE_TEST_PG
# run it in the background so that a signal sent to this script reaches it
exec 3<&0
"$REAL" "$@" <&3 3<&- >"$tmp/out" 2>"$tmp/err" &
child=$!
trap 'kill -TERM $child 2>/dev/null' TERM
trap 'kill -INT $child 2>/dev/null' INT
trap 'kill -HUP $child 2>/dev/null' HUP
while :; do
	wait $child
	rc=$?
	kill -0 $child 2>/dev/null || break
done
[ -n "$PLAN" ] && cat "$tmp/plan.orig" > "$PLAN"
script=""
printf '%s' "$MAPS" > "$tmp/maps"
while IFS='	' read -r path uri; do
	[ -n "$path" ] || continue
	p=$(printf '%s' "$path" | sed 's/[|&\\]/\\&/g')
	script="$script
s|$uri|$p|g"
done < "$tmp/maps"
sed "$script" "$tmp/out"
sed "$script" "$tmp/err" >&2
rm -rf "$tmp"
exit $rc
