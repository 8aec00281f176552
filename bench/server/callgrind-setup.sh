# Sourced by callgrind-per-request.sh and callgrind-network.sh (not run on its own): their common
# start-up. `callgrind_setup N1 N2 ENTRY BUNDLE "$@"` reads the arguments NAME [N1] [N2] (N1 and
# N2 default to the first two), makes the output folder (CG_DIR, or a new temporary one) and
# bundles ENTRY there with esbuild (run from the repository's root) into BUNDLE, once per folder. Sets name, n1, n2, out, bundle.
callgrind_setup() {
  local default1="$1" default2="$2" entry="$3" bundle_name="$4"
  shift 4
  name="$1"
  n1="${2:-$default1}"
  n2="${3:-$default2}"
  out="${CG_DIR:-$(mktemp -d)}"
  mkdir -p "$out"
  out="$(cd "$out" && pwd)"
  bundle="$out/$bundle_name"
  if [ ! -f "$bundle" ]; then
    (cd "$(dirname "${BASH_SOURCE[0]}")/../.." && npx esbuild "$entry" --bundle --platform=node --format=esm \
      --outfile="$bundle" --log-level=warning \
      --banner:js="import { createRequire } from 'module'; const require = createRequire(import.meta.url);")
  fi
}
