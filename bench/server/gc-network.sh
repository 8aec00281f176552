#!/usr/bin/env bash
# What the collector sees per request on the network: one server of `bench/stack/serverside.ts`
# (lean, platform, raw, raw-wide; the library from dist/, `npm run build` first) runs with
# --trace-gc-nvp, is signed in to, warmed up with 2,000 requests, then loaded with exactly N
# requests of one kind (hello, list, json, post) by autocannon (50 connections); the collector's
# lines between the two CPU marks around the load are summed: bytes allocated, bytes that survived
# a scavenge, bytes promoted, scavenges and mark-compacts, and pause time, per request. Counts,
# not timings: the same under load, up to when the collector happens to run.
#
#     bash bench/server/gc-network.sh lean json [N=10000]
#     SRC=/tmp/main-copy bash bench/server/gc-network.sh lean json   # another tree (its dist/)
#     ALLOC_PROFILE=/tmp/alloc.json bash bench/server/gc-network.sh lean json   # and where the bytes come from:
#     N=10000 npx tsx bench/server/alloc-summary.ts /tmp/alloc.json
set -euo pipefail
server="$1"
request="$2"
n="${3:-10000}"
repo="$(cd "$(dirname "$0")/../.." && pwd)"
src="${SRC:-$repo}"
dir="$(mktemp -d)"
db="$dir/db.sqlite3"
cd "$src"
node --import tsx bench/stack/serverside.ts seed "$db"
port="$(node -e "const s = require('net').createServer().listen(0, '127.0.0.1', () => { console.log(s.address().port); s.close() })")"
SERVERSIDE_DB="$db" PORT="$port" node --trace-gc-nvp --import tsx --import ./bench/stack/dist.mjs \
  bench/stack/serverside.ts "$server" >"$dir/log" 2>&1 &
pid=$!
for _ in $(seq 1 600); do
  grep -q "listening on" "$dir/log" && break
  sleep 0.2
done
requests="$(node --import tsx bench/stack/serverside.ts signin-requests "http://127.0.0.1:$port")"
load() {
  node -e "
    const autocannon = require('autocannon')
    const name = process.argv[2]
    const all = JSON.parse(process.argv[1])
    const r = name === 'hello' ? { ...all.find((x) => x.name === 'list'), path: '/hello/' } : all.find((x) => x.name === name)
    const body = r.body === undefined ? {} : { body: r.body }
    autocannon({ url: 'http://127.0.0.1:$port' + r.path, method: r.method, headers: r.headers, ...body, connections: 50, amount: $1 }, (e, res) => {
      if (e) { console.error(e); process.exit(1) }
      const answered = name === 'post' ? res['3xx'] : res['2xx']
      if (answered !== $1 || res.errors + res.timeouts > 0) { console.error('bad run', res.requests.total, answered); process.exit(1) }
    })" "$requests" "$request"
}
load 2000
kill -USR2 "$pid"
sleep 0.5
load "$n"
kill -USR2 "$pid"
sleep 0.5
kill -INT "$pid"
wait "$pid" || true
awk -v n="$n" -v label="$server $request" '
  /^cpu / { marks++; if (marks == 1) c0 = $2; else if (marks == 2) c1 = $2; next }
  marks == 1 && /allocated=/ {
    for (i = 1; i <= NF; i++) {
      split($i, kv, "=")
      if (kv[1] == "allocated") a += kv[2]
      else if (kv[1] == "new_space_survived") s += kv[2]
      else if (kv[1] == "promoted") p += kv[2]
      else if (kv[1] == "pause") t += kv[2]
      else if (kv[1] == "gc") { if (kv[2] == "s") sc++; else mc++ }
    }
  }
  END {
    printf "%s: per request allocated %d B, survived a scavenge %d B, promoted %d B; %d scavenges, %d mark-compacts, pauses %.1f us/request; CPU %.1f us/request\n",
      label, a / n, s / n, p / n, sc, mc, 1000 * t / n, (c1 - c0) / n
  }' "$dir/log"
rm -rf "$dir"
