# Facts dated in the future: beyond the clock-skew allowance (300 s, or
# --max-clock-skew) they are refused with GV-F003 at their collected_at,
# exit 2 and nothing on stdout; within it they count as fresh (age 0).
P="--rules rules --policy policies"
O=fixtures/facts/onprem.yaml
M=fixtures/manifests/hybrid-ok.yaml

# future_facts FILE SECONDS-AHEAD-OF-$t0 [FIXTURE]: the cloud fixture (or
# FIXTURE), collected then
future_facts() {
	sed "s/^collected_at: .*/collected_at: \"$(date -u -d "@$(($t0 + $2))" +%Y-%m-%dT%H:%M:%SZ)\"/" \
		"${3:-fixtures/facts/cloud.yaml}" > "$1"
}

# expect_future FILE AT AHEAD SKEW DESCRIPTION: exit 2 was seen; stderr has
# the GV-F003 line for facts collected at AT (epoch seconds), AHEAD seconds
# after $t0, and nothing is on stdout. The clock may have ticked since $t0:
# the amount is AT - now, for a now between $t0 and $t1.
expect_future() {
	TEST_NAME=$5
	when=$(date -u -d "@$2" +%Y-%m-%dT%H:%M:%SZ)
	found=0
	s=$t0
	while [ "$s" -le "$t1" ]; do
		line="$1:5:15: error: facts are dated $(($2 - s)) s in the future (collected_at $when); the allowed clock skew is $4 s [GV-F003]"
		grep -Fxq -- "$line" "$T/err" && found=1
		s=$((s + 1))
	done
	[ "$found" = 1 ] && pass || { fail "stderr lacks the GV-F003 line for $when"; head -3 "$T/err" >&2; }
	expect_eq "$(wc -c < "$T/out")" 0 "$5: nothing on stdout"
}

# one hour ahead: refused, with or without a maximum age
t0=$(date +%s)
F=$T/cloud-1h.yaml
future_facts "$F" 3600
expect_rc 2 "facts an hour ahead are refused" -- check $P --cloud-facts "$F" --onprem-facts $O $M
t1=$(date +%s)
expect_future "$F" $((t0 + 3600)) 3600 300 "an hour ahead: GV-F003 at collected_at"
expect_rc 2 "also under a maximum age" -- check $P --max-fact-age 1h --cloud-facts "$F" --onprem-facts $O $M
t1=$(date +%s)
expect_future "$F" $((t0 + 3600)) 3600 300 "under a maximum age: the same error"
# the generated time is the one of `date -u -d '+1 hour'`
expect_eq "$(sed -n 's/^collected_at: "\(.*\)"$/\1/p' "$F" | cut -c1-13)" \
	"$(date -u -d "@$((t0 + 3600))" +%Y-%m-%dT%H)" "the file says the next hour"

# a larger allowance admits it, and then it is fresh (next to fresh on-prem facts)
future_facts "$T/onprem-now.yaml" 0 $O
O=$T/onprem-now.yaml
expect_rc 0 "--max-clock-skew 2h admits an hour ahead" -- check $P --max-clock-skew 2h --max-fact-age 60 --cloud-facts "$F" --onprem-facts $O $M
expect_out '^decision: allow — 1 manifest, 29 rules evaluated, 0 findings$' "admitted facts are fresh"

# sixty seconds ahead: within 300 s, age 0, fresh under a 60 s maximum age
t0=$(date +%s)
F=$T/cloud-60s.yaml
future_facts "$F" 60
expect_rc 0 "facts 60 s ahead pass" -- check $P --max-fact-age 60 --cloud-facts "$F" --onprem-facts $O $M
expect_out '^decision: allow — 1 manifest, 29 rules evaluated, 0 findings$' "60 s ahead: allowed, not stale"
expect_eq "$(wc -c < "$T/err")" 0 "60 s ahead: nothing on stderr"
# ... but not with no allowance at all
expect_rc 2 "--max-clock-skew 0 refuses 60 s ahead" -- check $P --max-clock-skew 0 --cloud-facts "$F" --onprem-facts $O $M
t1=$(date +%s)
expect_future "$F" $((t0 + 60)) 60 0 "--max-clock-skew 0: GV-F003"

# the far future (year 2999), on the on-prem side and in JSON output
t0=$(date +%s)
F=$T/onprem-2999.yaml
sed 's/^collected_at: .*/collected_at: "2999-01-01T00:00:00Z"/' $O > "$F"
expect_rc 2 "facts from 2999 are refused" -- check $P -f json --cloud-facts fixtures/facts/cloud.yaml --onprem-facts "$F" $M
t1=$(date +%s)
expect_future "$F" 32472144000 0 300 "2999: GV-F003 with the amount in seconds"

expect_rc 2 "bad --max-clock-skew" -- check $P --max-clock-skew soon $M
expect_err "^govgate: check: --max-clock-skew 'soon' is not a duration from 0 to 1d such as 0, 300 or 5m$" "bad --max-clock-skew: says why"
expect_rc 2 "--max-clock-skew over a day" -- check $P --max-clock-skew 2d $M
expect_err "^govgate: check: --max-clock-skew '2d' is not a duration from 0 to 1d such as 0, 300 or 5m$" "over a day: says why"
