#!/usr/bin/env bash
# Compares the benchmarks of odm and its engine in the working tree (A)
# against a base revision (B), measured in one run.
#
#   BASE=<rev> [BENCH=regexp] [COUNT=n] [BENCHTIME=t] scripts/bench-compare.sh
#
# BASE is checked out in a temporary git worktree, removed at exit. Each side's
# test binaries are built once, then run in COUNT pairs whose order alternates
# (A B, B A, ...), one process per package and side, so that the machine's
# drift hits both. Each benchmark's line gives the median ns/op of each side,
# the median of the pair-by-pair ratios A/B with their min and max, and the
# median allocs/op and B/op of each side. Without MONGODB_URI one embedded
# server, built from the working tree's examples module, serves both sides.
set -euo pipefail
GO=${GO:-go}
base=${1:-${BASE:-}}
count=${COUNT:-10}
[ -n "$base" ] || { echo "usage: BASE=<rev> [BENCH=re] [COUNT=n] [BENCHTIME=t] $0" >&2; exit 2; }
case $count in '' | *[!0-9]* | 0) echo "COUNT must be a positive integer, not '$count'" >&2; exit 2 ;; esac
root=$(git -C "$(dirname "$0")/.." rev-parse --show-toplevel)
rev=$(git -C "$root" rev-parse --verify --quiet "$base^{commit}") || { echo "BASE '$base' is no commit" >&2; exit 2; }

# package, default benchmarks, default benchtime (each odm op is a whole
# Init or 10,000 documents; an engine op is microseconds)
pkgs=(odm odm/internal/engine)
res=('^(BenchmarkSteadyInit|BenchmarkFind10k|BenchmarkInsertMany10k|BenchmarkReplaceByID|BenchmarkModify)$'
	'^BenchmarkSteadyCollection$')
times=(3x 1s)

tmp=$(mktemp -d "${TMPDIR:-/tmp}/bench-compare.XXXXXX")
wt=$tmp/base
srv_pid=
cleanup() {
	if [ -n "$srv_pid" ]; then
		exec 3>&- # the embedded server exits when its stdin closes
		for _ in $(seq 100); do kill -0 "$srv_pid" 2>/dev/null || break; sleep 0.1; done
		kill "$srv_pid" 2>/dev/null || true
		wait "$srv_pid" 2>/dev/null || true
	fi
	if [ -d "$wt" ]; then git -C "$root" worktree remove --force "$wt" || true; fi
	git -C "$root" worktree prune || true
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

git -C "$root" worktree add --quiet --detach "$wt" "$rev"
echo "A: working tree $root (HEAD $(git -C "$root" rev-parse --short HEAD)$(git -C "$root" diff --quiet HEAD || echo ', with uncommitted changes'))"
echo "B: $base ($(git -C "$root" log -1 --format='%h %s' "$rev" | cut -c1-90))"

# build: A from the working tree, B from the worktree; a package absent from
# BASE (or without tests there) leaves its benchmarks missing, not an error
for i in "${!pkgs[@]}"; do
	for side in A B; do
		tree=$root
		[ "$side" = B ] && tree=$wt
		if [ ! -d "$tree/${pkgs[i]}" ]; then
			echo "$side: no package ${pkgs[i]}" >&2
			continue
		fi
		echo "building $side ./${pkgs[i]}" >&2
		(cd "$tree" && "$GO" test -c -vet=off -o "$tmp/$side-$i.test" "./${pkgs[i]}")
	done
done

if [ -n "${MONGODB_URI:-}" ]; then
	echo "server: $(printf '%s' "$MONGODB_URI" | sed 's#//[^/@]*@#//***@#') (MONGODB_URI)"
else
	echo "building the embedded server" >&2
	(cd "$root/examples" && "$GO" build -o "$tmp/embedded-mongo" ./cmd/embedded-mongo)
	mkdir "$tmp/data"
	mkfifo "$tmp/stdin"
	EMBEDDED_MONGO_DIR=$tmp/data "$tmp/embedded-mongo" <"$tmp/stdin" >"$tmp/server.out" &
	srv_pid=$!
	exec 3>"$tmp/stdin"
	for _ in $(seq 600); do
		grep -q '^mongodb://' "$tmp/server.out" && break
		kill -0 "$srv_pid" 2>/dev/null || { echo "the embedded server did not start" >&2; exit 1; }
		sleep 0.1
	done
	MONGODB_URI=$(grep -m1 '^mongodb://' "$tmp/server.out") || { echo "the embedded server printed no URI within 60s" >&2; exit 1; }
	export MONGODB_URI
	echo "server: embedded, one for both sides, at $MONGODB_URI"
fi
echo "pairs: $count; benchtime: ${BENCHTIME:-${times[*]} (per package)}; benchmarks: ${BENCH:-the defaults}"

# run: one line per benchmark and run, "side pair name ns/op B/op allocs/op"
: >"$tmp/results"
for pair in $(seq "$count"); do
	order=(A B)
	[ $((pair % 2)) -eq 0 ] && order=(B A)
	for side in "${order[@]}"; do
		for i in "${!pkgs[@]}"; do
			bin=$tmp/$side-$i.test
			[ -x "$bin" ] || continue
			dir=$root/${pkgs[i]}
			[ "$side" = B ] && dir=$wt/${pkgs[i]}
			echo "pair $pair/$count: $side ./${pkgs[i]}" >&2
			if ! (cd "$dir" && "$bin" -test.run='^$' -test.bench="${BENCH:-${res[i]}}" -test.benchmem \
				-test.count=1 -test.benchtime="${BENCHTIME:-${times[i]}}") >"$tmp/out" 2>&1 3>&-; then
				cat "$tmp/out" >&2
				echo "$side ./${pkgs[i]} failed in pair $pair" >&2
				exit 1
			fi
			awk -v side="$side" -v pair="$pair" '/^Benchmark/ && $2 ~ /^[0-9]+$/ && / ns\/op/ {
				name = $1; sub(/-[0-9]+$/, "", name); ns = bop = al = "-"
				for (f = 3; f < NF; f += 2) {
					if ($(f + 1) == "ns/op") ns = $f
					if ($(f + 1) == "B/op") bop = $f
					if ($(f + 1) == "allocs/op") al = $f
				}
				print side, pair, name, ns, bop, al
			}' "$tmp/out" >>"$tmp/results"
		done
	done
done

awk -v count="$count" '
function med(a, n,   i, j, t) { # sorts a[1..n]; returns its median
	for (i = 2; i <= n; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] > t; j--) a[j + 1] = a[j]; a[j + 1] = t }
	return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}
function dur(ns) {
	if (ns >= 1e9) return sprintf("%.3fs", ns / 1e9)
	if (ns >= 1e6) return sprintf("%.2fms", ns / 1e6)
	if (ns >= 1e3) return sprintf("%.2fus", ns / 1e3)
	return sprintf("%.1fns", ns)
}
function side(s, name, col,   n, p, a) { # median of column col of side s
	split("", a); n = 0
	for (p = 1; p <= count; p++) if ((s, name, p) in v && v[s, name, p, col] != "-") a[++n] = v[s, name, p, col]
	return n ? med(a, n) : "-"
}
{ if (!($3 in seen)) { seen[$3] = 1; order[++nn] = $3; if (length($3) > w) w = length($3) }
  v[$1, $3, $2]; v[$1, $3, $2, 4] = $4; v[$1, $3, $2, 5] = $5; v[$1, $3, $2, 6] = $6; has[$1, $3] = 1 }
END {
	printf "\n%-" w "s %11s %11s %7s %7s %7s %10s %10s %11s %11s\n", "benchmark", "A ns/op", "B ns/op", "A/B", "min", "max", "A allocs", "B allocs", "A B/op", "B B/op"
	for (k = 1; k <= nn; k++) {
		name = order[k]
		if (!has["A", name] || !has["B", name]) {
			printf "%-" w "s %s\n", name, (has["A", name] ? "missing in BASE" : "missing in the working tree"); continue
		}
		split("", r); n = 0
		for (p = 1; p <= count; p++) if (("A", name, p) in v && ("B", name, p) in v && v["B", name, p, 4] > 0) r[++n] = v["A", name, p, 4] / v["B", name, p, 4]
		m = med(r, n)
		printf "%-" w "s %11s %11s %7.3f %7.3f %7.3f %10s %10s %11s %11s\n", name, dur(side("A", name, 4)), dur(side("B", name, 4)),
			m, r[1], r[n], side("A", name, 6), side("B", name, 6), side("A", name, 5), side("B", name, 5)
	}
	if (!nn) print "no benchmark matched"
}' "$tmp/results"
