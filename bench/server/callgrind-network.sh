#!/usr/bin/env bash
# Instructions per request of one server target of `targets.ts` served over the network, counted
# by valgrind's callgrind in the server's process only (the same under any load): the target runs
# under callgrind (`node --single-threaded`, so compilation and the collector are counted), a
# client in another process (autocannon, CONNECTIONS=10 connections: more, and a request can wait past
# `headersTimeout` in the slowed server's queue) sends exactly N1 requests, then SIGINT
# stops the server; again with N2; (instructions(N2) - instructions(N1)) / (N2 - N1) is one
# request's cost over real sockets, Node's parsing, writes and timers included, start-up excluded.
#
#     bash bench/server/callgrind-network.sh "library, tracer off, lean adapter" [N1=3000] [N2=9000]
#     SRC=/tmp/main-copy bash bench/server/callgrind-network.sh "platform, tracer off"   # another tree's targets.ts
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
src="${SRC:-$here/../..}"
. "$here/callgrind-setup.sh"
callgrind_setup 3000 9000 "$src/bench/server/targets.ts" targets.mjs "$@"
count() {
  local n="$1" file="$out/cg.$$.$1.out" log="$out/server.$$.$1.log"
  EXIT_ON_SIGINT=1 valgrind --tool=callgrind --callgrind-out-file="$file" node --single-threaded "$bundle" "$name" \
    >"$log" 2>&1 &
  local pid=$!
  local port=""
  for _ in $(seq 1 600); do
    port="$(grep -oE 'listening on [^ ]*:[0-9]+' "$log" | grep -oE '[0-9]+$' | head -1 || true)"
    [ -n "$port" ] && break
    sleep 0.5
  done
  [ -n "$port" ] || { echo "the server did not start: $(cat "$log")" >&2; kill "$pid"; exit 1; }
  node -e "
    const autocannon = require('autocannon')
    autocannon({ url: 'http://127.0.0.1:$port/', connections: ${CONNECTIONS:-10}, amount: $n, timeout: 120 }, (e, r) => {
      if (e) { console.error(e); process.exit(1) }
      if (r.non2xx + r.errors + r.timeouts > 0 || r.requests.total !== $n) {
        console.error('bad run', r.requests.total, r.non2xx, r.errors, r.timeouts); process.exit(1)
      }
    })" >&2
  kill -INT "$pid"
  wait "$pid" || true
  grep -m1 '^summary:' "$file" | awk '{ print $2 }'
}
i1="$(count "$n1")"
i2="$(count "$n2")"
echo "$name (network): $(( (i2 - i1) / (n2 - n1) )) instructions/request ($n1: $i1, $n2: $i2)"
