#!/usr/bin/env bash
# Merge benchmark: DARE-TIES of synthetic Qwen2.5-7B-shaped BF16 models (base + N tuned copies, sharded), run through
# the real `aloe merge` launcher under /usr/bin/time -v (peak RSS = "Maximum resident set size").
#   aloe-merge/bench/merge-7b.sh [WORK_DIR] [LAYERS] [TUNED_MODELS]   (defaults: /tmp/aloe-merge-bench 28 2)
# Extra options for aloe merge in $MERGE_ARGS (e.g. "--threads 4").
# Needs about (1 + TUNED + 1) x 15.2 GB free for 28 layers; everything generated is deleted at the end.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
work="${1:-/tmp/aloe-merge-bench}"
layers="${2:-28}"
tuned="${3:-2}"
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"

cd "$here"
./mvnw -q -B -o install -DskipTests
./mvnw -q -B -o -pl aloe-merge test-compile
cp="aloe-merge/target/test-classes:aloe-merge/target/classes:aloe-core/target/classes:aloe-cli/target/lib/*"

need=$(( (tuned + 2) * 15200 * layers / 28 ))
avail=$(df -m --output=avail "$(dirname "$work")" | tail -1)
echo "need ~${need} MB, ${avail} MB free on $(dirname "$work")"
[ "$avail" -gt $(( need + 4000 )) ] || { echo "not enough disk space" >&2; exit 1; }

rm -rf "$work"; mkdir -p "$work"
trap 'rm -rf "$work"' EXIT
gen() { "$JAVA_HOME/bin/java" --add-modules jdk.incubator.vector -cp "$cp" org.aloe4j.merge.SyntheticQwen2Model "$@" 2>&1 | grep -v '^WARNING: Using incubator' >&2; }
gen "$work/base" "$layers" 1
{
  echo "models:"
  echo "  - model: $work/base"
  for i in $(seq 1 "$tuned"); do
    gen "$work/tuned-$i" "$layers" 1 $((100 + i)) 0.002
    echo "  - model: $work/tuned-$i"
    echo "    parameters: {density: 0.5, weight: $(awk "BEGIN{print 1/$tuned}")}"
  done
  echo "merge_method: dare_ties"
  echo "base_model: $work/base"
  echo "parameters: {normalize: true, int8_mask: true}"
  echo "dtype: bfloat16"
} > "$work/merge.yml"
cat "$work/merge.yml"
du -sh "$work"/*/ || true
sync; echo 3 > /proc/sys/vm/drop_caches 2>/dev/null || echo "(could not drop the page cache: inputs may be partly cached)"

/usr/bin/time -v ./aloe merge "$work/merge.yml" "$work/merged" --seed 1 ${MERGE_ARGS:-} 2> "$work/time.txt" || { cat "$work/time.txt"; exit 1; }
grep -v '^WARNING' "$work/time.txt" | grep -E 'aloe merge|Elapsed|Maximum resident|User time|System time|Percent of CPU|File system'
ls -la "$work/merged"
