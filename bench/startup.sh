#!/bin/bash
# Time from launch to the first answered request, and resident memory then.
P=$1; LOG=$(mktemp)
start=$(date +%s.%N)
./target/release/entrasim --port 0 --preset $P --throttle off --clock fixed:2026-06-01T12:00:00Z > $LOG 2>&1 &
PID=$!
until grep -q listening $LOG; do sleep 0.005; done
PORT=$(grep -o '127.0.0.1:[0-9]*' $LOG | head -1)
curl -s -o /dev/null "http://$PORT/v1.0/auditLogs/signIns?\$top=1"
end=$(date +%s.%N)
echo "$P: first response after $(echo "$end - $start" | bc) s; $(grep VmRSS /proc/$PID/status | tr -s ' ')"
curl -s "http://$PORT/_entrasim/tenant" | python3 -c "import json,sys; d=json.load(sys.stdin); r=d['records']; print(r, 'total', sum(r.values()))"
kill $PID; rm -f $LOG
