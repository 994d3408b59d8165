#!/usr/bin/env bash
# Retrieval benchmark (figures for docs/performance.md, "Retrieval"): vector-only insert and kNN query time at
# 200k stored examples, and knowledge-base build throughput with real bge-small embeddings.
# Usage: aloe-rag/bench/retrieval-benchmark.sh [N_VECTORS [FIXTURES_DIR]]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
if [ -z "${JAVA_HOME:-}" ]; then
  for cand in /usr/lib/jvm/*25*; do [ -x "$cand/bin/java" ] && { export JAVA_HOME="$cand"; break; }; done
fi
cd "$root"
# built through this checkout's reactor (never mvn install: ~/.m2 is shared); the sibling modules resolve to their
# target/ folders because the compile phases run in the same invocation
./mvnw -q -B -o -pl aloe-rag -am test-compile dependency:build-classpath -Dmdep.outputFile=target/bench.classpath \
  -Dmdep.includeScope=test
cp="aloe-rag/target/test-classes:aloe-rag/target/classes:$(cat aloe-rag/target/bench.classpath)"
exec "$JAVA_HOME/bin/java" --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -Xmx6g \
  -cp "$cp" org.aloe4j.rag.bench.RetrievalBenchmark "${1:-200000}" "${2:-$root/../shared/fixtures}" \
  2> >(grep -v -e '^WARNING' -e 'SLF4J' >&2)
