# Helpers for tests that need a live TLS server (sourced; not a test).
# Callers set PKI (a scratch folder) and SERVERS (pids to kill at exit).

# start_server VAR ARGS...: runs openssl s_server ARGS on a free port of
# 127.0.0.1 (found by trying), waits until it accepts, and sets VAR to the
# port and VAR_PID to its process id. Returns 1 if it never started.
start_server() {
	var=$1
	shift
	tries=0
	while [ $tries -lt 20 ]; do
		tries=$((tries + 1))
		port=$(( 20000 + $(od -An -N2 -tu2 /dev/urandom) % 40000 ))
		log=$PKI/server-$var.log
		: > "$log"
		openssl s_server -accept "127.0.0.1:$port" -www "$@" \
			</dev/null >"$log" 2>&1 &
		pid=$!
		n=0
		while [ $n -lt 100 ]; do
			if grep -q '^ACCEPT' "$log"; then
				SERVERS="$SERVERS $pid"
				eval "$var=\$port; ${var}_PID=\$pid"
				return 0
			fi
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.05
			n=$((n + 1))
		done
		kill "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	done
	return 1
}

