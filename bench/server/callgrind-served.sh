#!/usr/bin/env bash
# Instructions per request of a served target (bench/server/targets.ts, bundled with esbuild so that
# no TypeScript loader runs), every server process included (a primary and its workers), counted by
# valgrind's callgrind (user-space instructions; the kernel's share is not counted). Does not depend
# on other load on the machine. The server runs under callgrind (children traced); autocannon
# (native, not traced) sends WARM requests, the counters are zeroed, it sends N more, the counters
# are dumped: the sum over the processes of the dumped instructions / N is one request's cost.
#
#     bash bench/server/callgrind-served.sh "library, tracer off" [WARM=1000] [N=3000]
#     bash bench/server/callgrind-served.sh "library, tracer off, 2 workers"
set -euo pipefail
name="$1"
warm="${2:-1000}"
n="${3:-3000}"
here="$(cd "$(dirname "$0")" && pwd)"
out="$(mktemp -d)"
mkdir -p "$here/../results/tmp"
bundle="$here/../results/tmp/cg-targets.mjs" # ignored by git; node_modules resolve from there
npx esbuild "$here/targets.ts" --bundle --platform=node --format=esm --packages=external --outfile="$bundle" \
  --log-level=warning
valgrind --tool=callgrind --trace-children=yes --callgrind-out-file="$out/cg.%p" \
  node --single-threaded "$bundle" "$name" >"$out/stdout" 2>"$out/stderr" &
vg=$!
expected="$(echo "$name" | grep -oE '[0-9]+ workers?' | grep -oE '[0-9]+' || echo 1)"
until [ "$(grep -c 'listening on' "$out/stdout" || true)" -ge "$expected" ]; do sleep 2; done
port="$(grep -oE 'listening on [^ ]*:[0-9]+' "$out/stdout" | head -1 | grep -oE '[0-9]+$')"
fire() { node -e "require('autocannon')({ url: 'http://127.0.0.1:$port/', connections: 50, amount: $1 }).then((r) => console.log(r.requests.total, r.non2xx))"; }
fire "$warm" >/dev/null
# This run's processes only (other callgrind runs on the machine are left alone): the server and
# the workers it forked.
pids="$vg $(ps -o pid= --ppid "$vg" | tr -d ' ' | tr '\n' ' ')"
for p in $pids; do callgrind_control -z "$p" >/dev/null & done
sleep 1
fire "$n" >"$out/fired"
for p in $pids; do callgrind_control -d "$p" >/dev/null & done
sleep 1
fire 50 >/dev/null # wakes any process still waiting in epoll so that it takes the dump request
wait $(jobs -p | grep -v "^$vg$") 2>/dev/null || true
sleep 2
total=0
for f in "$out"/cg.*.[0-9]*; do
  ir="$(grep -m1 '^summary:' "$f" | awk '{ print $2 }')"
  echo "  $(basename "$f"): $ir"
  total=$((total + ir))
done
kill -INT "$vg" 2>/dev/null || true
echo "$name: $((total / n)) instructions/request over $(cat "$out/fired") requests (processes: $pids)"
