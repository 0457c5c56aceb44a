#!/usr/bin/env bash
# Runs each fuzz target for FUZZTIME on top of its committed corpus.
#
# A target fails when the fuzzer finds a failing input: it then writes the
# input under <package>/testdata/fuzz/<target>/. Go's fuzz coordinator can also
# fail a run at the -fuzztime boundary with a bare "context deadline
# exceeded" and no input (go.dev/issue/75804, fixed in Go 1.27); such a run
# is reported as that race and not counted as a failure, since nothing was
# found. Any other failure fails the run.
set -uo pipefail
cd "$(dirname "$0")/.."
GO=${GO:-go}
FUZZTIME=${FUZZTIME:-20s}
# package:target
targets=(odm/schema:FuzzTagGrammar odm:FuzzDiff odm:FuzzModelTypes odm/schema:FuzzSearchClause
  odm:FuzzSearchDiff odm:FuzzPathCheck odm/query:FuzzCoverage odm:FuzzReadPathOracle
  odm/internal/codec:FuzzDecodeAgainstTheDriver odm/internal/codec:FuzzEncodeAgainstTheDriver)
status=0
for entry in "${targets[@]}"; do
  pkg=${entry%%:*}
  target=${entry#*:}
  corpus="$pkg/testdata/fuzz/$target"
  before=$(ls "$corpus" 2>/dev/null | sort)
  out=$(mktemp)
  if "$GO" test -run '^$' -fuzz="^$target\$" -fuzztime="$FUZZTIME" "./$pkg" >"$out" 2>&1; then
    echo "$target: $(tail -n 1 "$out")"
  else
    after=$(ls "$corpus" 2>/dev/null | sort)
    if grep -q '^    context deadline exceeded$' "$out" && [ "$before" = "$after" ] && ! grep -q 'Failing input written' "$out"; then
      echo "$target: the fuzz coordinator's shutdown race at the -fuzztime boundary (go.dev/issue/75804); no failing input was found"
    else
      cat "$out"
      status=1
    fi
  fi
  rm -f "$out"
done
exit $status
