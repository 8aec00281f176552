#!/usr/bin/env bash
# Instructions per request of one server of `serverside.ts` (lean, platform, raw, raw-wide) on one
# request (hello, or the notes app's list, json or post), over real sockets, counted by valgrind's callgrind in the server's
# process only (the same under any load): the server (bundled with esbuild, the library from
# src/, packages external) runs under callgrind (`node --single-threaded`: compilation and the
# collector counted), is signed in to, then a client in another process (autocannon,
# CONNECTIONS=1: with more, a request can wait in the slowed server past `headersTimeout` and be
# answered 408) sends exactly N requests and SIGINT stops the server; with N1 and N2,
# (instructions(N2) - instructions(N1)) / (N2 - N1) is one request's cost, start-up and sign-in
# excluded.
#
#     bash bench/stack/callgrind-serverside.sh lean list [N1=500] [N2=1500]   # hello, list, json, post
#     SRC=/tmp/main-copy bash bench/stack/callgrind-serverside.sh lean list   # another tree's library
set -euo pipefail
server="$1"
request="$2"
n1="${3:-500}"
n2="${4:-1500}"
repo="$(cd "$(dirname "$0")/../.." && pwd)"
src="${SRC:-$repo}"
out="${CG_DIR:-$(mktemp -d)}"
mkdir -p "$out"
bundle="$out/serverside.mjs"
if [ ! -f "$bundle" ]; then
  # The bundle imports its packages from node_modules beside it.
  [ -e "$out/node_modules" ] || ln -s "$repo/node_modules" "$out/node_modules"
  cp -r "$repo/bench/stack/templates" "$out/templates"
  (cd "$repo" && npx esbuild "$src/bench/stack/serverside.ts" --bundle --platform=node --format=esm \
    --packages=external --outfile="$bundle" --log-level=warning \
    --banner:js="import { createRequire as createRequire_ } from 'module'; const require = createRequire_(import.meta.url);")
fi
count() {
  local n="$1" file="$out/cg.$$.$server.$request.$1.out" log="$out/server.$$.$server.$1.log"
  local db="$out/db.$$.$1.sqlite3"
  rm -f "$db"*
  node "$bundle" seed "$db"
  local port
  port="$(node -e "const s = require('net').createServer().listen(0, '127.0.0.1', () => { console.log(s.address().port); s.close() })")"
  SERVERSIDE_DB="$db" PORT="$port" valgrind --tool=callgrind --callgrind-out-file="$file" \
    node --single-threaded "$bundle" "$server" >"$log" 2>&1 &
  local pid=$!
  for _ in $(seq 1 1200); do
    grep -q "listening on" "$log" && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.5
  done
  grep -q "listening on" "$log" || { echo "the server did not start: $(cat "$log")" >&2; kill "$pid"; exit 1; }
  local requests
  requests="$(node "$bundle" signin-requests "http://127.0.0.1:$port")"
  # hello: the list request's headers on /hello/; post answers 302, the others 200.
  node -e "
    const autocannon = require('autocannon')
    const name = process.argv[2]
    const all = JSON.parse(process.argv[1])
    const r = name === 'hello' ? { ...all.find((x) => x.name === 'list'), path: '/hello/' } : all.find((x) => x.name === name)
    const body = r.body === undefined ? {} : { body: r.body }
    autocannon({ url: 'http://127.0.0.1:$port' + r.path, method: r.method, headers: r.headers, ...body, connections: ${CONNECTIONS:-1}, amount: $n, timeout: 300 }, (e, res) => {
      if (e) { console.error(e); process.exit(1) }
      const answered = name === 'post' ? res['3xx'] : res['2xx']
      if (answered !== $n || res.errors + res.timeouts > 0) {
        console.error('bad run', res.requests.total, answered, res.errors, res.timeouts); process.exit(1)
      }
    })" "$requests" "$request" >&2
  kill -INT "$pid"
  wait "$pid" || true
  rm -f "$db"*
  grep -m1 '^summary:' "$file" | awk '{ print $2 }'
}
i1="$(count "$n1")"
i2="$(count "$n2")"
echo "$server $request (network): $(( (i2 - i1) / (n2 - n1) )) instructions/request ($n1: $i1, $n2: $i2)"
