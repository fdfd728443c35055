#!/usr/bin/env bash
# Run the test suite N times in a row (default 20) while CPU-heavy processes (busy
# loops; FASTCODE_STRESS_BURNERS of them, default 1: "another CPU-heavy process")
# run beside it, to show that no test depends on a wall-clock window.  Needs
# fastcode installed (pip install '.[test]').
#   bash benchmarks/stress_suite.sh [N] [pytest args...]
# Prints one line per run and "N passed, N failed" at the end; exit 1 if any failed.
# While the file $FASTCODE_STRESS_PAUSE exists (default /tmp/fastcode-stress-pause)
# no new run starts and the busy loops are stopped (a run in progress finishes).
set -u
runs=${1:-20}
shift || true
cd "$(dirname "$0")/.."
pause_file=${FASTCODE_STRESS_PAUSE:-/tmp/fastcode-stress-pause}
burners=()
for _ in $(seq "${FASTCODE_STRESS_BURNERS:-1}"); do
    python3 -c "while True: pass" &
    burners+=($!)
done
trap 'kill "${burners[@]}" 2>/dev/null; kill -CONT "${burners[@]}" 2>/dev/null' EXIT
ok=0
bad=0
for i in $(seq "$runs"); do
    if [ -e "$pause_file" ]; then
        kill -STOP "${burners[@]}"
        echo "paused before run $i ($(date +%T))"
        while [ -e "$pause_file" ]; do sleep 5; done
        kill -CONT "${burners[@]}"
        echo "resumed ($(date +%T))"
    fi
    if out=$(pytest -q -p no:cacheprovider tests "$@" 2>&1); then
        ok=$((ok + 1))
        echo "run $i: $(echo "$out" | tail -1)"
    else
        bad=$((bad + 1))
        log=$(mktemp -t fastcode-stress-run$i-XXXX.log)
        echo "$out" > "$log"
        echo "run $i FAILED (full output: $log):"
        echo "$out" | grep -E "^(FAILED|ERROR)|^E " | head -20
    fi
done
echo "stress: $ok passed, $bad failed"
[ "$bad" -eq 0 ]
