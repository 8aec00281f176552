#!/usr/bin/env bash
# Runs every benchmark under bench/ (files named *.bench.ts), one after another.
set -euo pipefail
cd "$(dirname "$0")/.."
shopt -s nullglob
for f in bench/*.bench.ts; do
  echo "== $f"
  npx tsx "$f"
done
