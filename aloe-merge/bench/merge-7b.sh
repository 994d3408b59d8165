#!/usr/bin/env bash
# Merge benchmark: DARE-TIES of synthetic Qwen2.5-7B-shaped BF16 models (base + N tuned copies, sharded), run through
# the real `aloe merge` launcher under /usr/bin/time -v (peak RSS = "Maximum resident set size").
#   aloe-merge/bench/merge-7b.sh [PARENT_DIR] [LAYERS] [TUNED_MODELS]   (defaults: /tmp 28 2)
# Everything is generated in a new directory under PARENT_DIR (never inside the repository) and deleted at the end,
# also on failure or Ctrl-C. Extra options for aloe merge in $MERGE_ARGS (e.g. "--threads 4"). DROP_CACHES=1 drops
# the page cache before the merge (machine-wide; needs root), so that the inputs are read from disk.
# Disk needed: (1 + TUNED + 1) x (2.18 GB + LAYERS x 0.466 GB), i.e. 61 GB for 28 layers and 2 tuned models.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
parent="${1:-/tmp}"
layers="${2:-28}"
tuned="${3:-2}"
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"

case "$(cd "$parent" && pwd)/" in
  "$here"/*) echo "PARENT_DIR must be outside the repository" >&2; exit 2 ;;
esac
need=$(( (tuned + 2) * (2180 + 466 * layers) ))
avail=$(df -m --output=avail "$parent" | tail -1)
echo "need ~${need} MB, ${avail} MB free on $parent"
[ "$avail" -gt $(( need + 4000 )) ] || { echo "not enough disk space" >&2; exit 1; }

# Build through this checkout's reactor (never `mvn install`: ~/.m2 may be shared), then mark the launcher's build
# as current so that ./aloe runs this build instead of rebuilding.
cd "$here"
./mvnw -q -B -o package -DskipTests -pl aloe-cli -am
touch aloe-cli/target/.aloe-built
cp="aloe-merge/target/test-classes:aloe-merge/target/classes:aloe-core/target/classes:aloe-cli/target/lib/*"

work="$(mktemp -d "$parent/aloe-merge-bench.XXXXXX")"
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
if [ "${DROP_CACHES:-0}" = 1 ]; then
  sync; echo 3 > /proc/sys/vm/drop_caches 2>/dev/null || echo "(could not drop the page cache: inputs may be partly cached)"
fi

echo "load average before the merge: $(cut -d' ' -f1-3 /proc/loadavg) ($(nproc) processors)"
/usr/bin/time -v ./aloe merge "$work/merge.yml" "$work/merged" --seed 1 --no-progress ${MERGE_ARGS:-} 2> "$work/time.txt" || { cat "$work/time.txt"; exit 1; }
grep -v '^WARNING' "$work/time.txt" | grep -E 'aloe merge|Elapsed|Maximum resident|User time|System time|Percent of CPU|File system|page faults'
echo "load average after the merge: $(cut -d' ' -f1-3 /proc/loadavg)"
du -sh "$work/merged"
ls -la "$work/merged"
