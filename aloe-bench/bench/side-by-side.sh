#!/usr/bin/env bash
# Side by side with llama.cpp: for each GGUF file, `aloe bench` and then `llama-bench` on the same file, one after
# the other (never at once: both use every core), as in docs/performance.md.
# Usage: aloe-bench/bench/side-by-side.sh FILE.gguf [FILE.gguf ...]
# Env: LLAMA_BENCH (path of llama.cpp's llama-bench, built outside the project), THREADS (2), REPEAT (3).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
llama_bench="${LLAMA_BENCH:-llama-bench}"
threads="${THREADS:-2}"
repeat="${REPEAT:-3}"
if [ "$#" -eq 0 ]; then
  echo "usage: $0 FILE.gguf [FILE.gguf ...]   (make files with: aloe synth --preset qwen2.5-7b --type Q4_0 --out F)" >&2
  exit 2
fi
if ! command -v "$llama_bench" >/dev/null 2>&1; then
  echo "llama-bench not found: build llama.cpp outside the project and set LLAMA_BENCH=/path/to/llama-bench" >&2
  exit 2
fi
for f in "$@"; do
  echo "=== $f $(date -u +%H:%M:%S) load $(cut -d' ' -f1-3 /proc/loadavg)"
  "$here/aloe" bench --model "$f" --threads "$threads" --prompt 64 --gen 32 --repeat "$repeat" 2>&1 \
    | grep -v -e '^WARNING' | tail -5
  "$llama_bench" -m "$f" -t "$threads" -p 64 -n 32 -r "$repeat" 2>&1 | grep -E '^\|'
done
echo "=== done $(date -u +%H:%M:%S)"
