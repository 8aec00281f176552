#!/usr/bin/env bash
# Runs bench/server/inprocess.ts with --trace-gc-nvp and prints, next to its CPU lines, what the
# collector saw per request after the first timed round (rounds 2-5): bytes allocated, bytes that
# survived a scavenge, bytes promoted.
#
#     bash bench/server/gc-per-request.sh "platform, tracer off" 10000
#     ADAPTER=lean bash bench/server/gc-per-request.sh "platform, tracer off" 10000
set -euo pipefail
name="$1"
count="${2:-10000}"
node --trace-gc-nvp --import tsx "$(dirname "$0")/inprocess.ts" "$name" "$count" | awk -v n="$count" '
  /us\/request/ { print; rounds++; next }
  rounds >= 1 && /allocated=/ {
    for (i = 1; i <= NF; i++) {
      split($i, kv, "=")
      if (kv[1] == "allocated") a += kv[2]
      else if (kv[1] == "new_space_survived") s += kv[2]
      else if (kv[1] == "promoted") p += kv[2]
    }
  }
  END { r = (rounds - 1) * n; printf "per request: allocated %d B, survived %d B, promoted %d B\n", a / r, s / r, p / r }'
