#!/usr/bin/env bash
# Instructions per request of one in-process target (bench/server/inprocess.ts), counted by
# valgrind's callgrind, which does not depend on other load on the machine: the target is run
# twice (warm-up only, ROUNDS=0) with N1 and N2 requests; (instructions(N2) - instructions(N1))
# / (N2 - N1) is one request's cost with start-up, loading and the first compilations excluded.
# Node runs single-threaded (compilation and the collector on the main thread, so counted).
#
#     bash bench/server/callgrind-per-request.sh "platform, tracer off" [N1=2000] [N2=5000]
#     ADAPTER=lean bash bench/server/callgrind-per-request.sh "library, tracer off"
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
. "$here/callgrind-setup.sh"
callgrind_setup 2000 5000 "$here/inprocess.ts" inprocess.mjs "$@"
count() {
  local file="$out/cg.$$.$1.out"
  ROUNDS=0 valgrind --tool=callgrind --callgrind-out-file="$file" node --single-threaded "$bundle" "$name" "$1" \
    >/dev/null 2>&1
  grep -m1 '^summary:' "$file" | awk '{ print $2 }'
}
i1="$(count "$n1")"
i2="$(count "$n2")"
echo "$name${ADAPTER:+ [$ADAPTER]}: $(( (i2 - i1) / (n2 - n1) )) instructions/request ($n1: $i1, $n2: $i2)"
