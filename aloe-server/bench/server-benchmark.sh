#!/usr/bin/env bash
# Load benchmark of aloe serve: aggregate tokens/s of N parallel streaming clients vs one stream, same model.
# Usage: aloe-server/bench/server-benchmark.sh --model FILE.gguf [--parallel 8] [--tokens 64] [--rounds 3]
#        aloe-server/bench/server-benchmark.sh --synthetic F16,2048,5632,8,16,2 [...]
# Builds through the reactor (no install) and runs org.aloe4j.server.bench.ServerBenchmark from the test classes.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
cd "$here"
./mvnw -q -B -o test-compile dependency:build-classpath -pl aloe-server -am \
  -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test >&2
cp="aloe-core/target/classes:aloe-core/target/test-classes:aloe-server/target/classes:aloe-server/target/test-classes:$(cat aloe-server/target/bench.classpath)"
exec "$JAVA_HOME/bin/java" --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -Xmx6g \
  -Daloe.fixtures="$here/../shared/fixtures" -cp "$cp" org.aloe4j.server.bench.ServerBenchmark "$@" \
  2> >(grep -v -e '^WARNING: Using incubator modules' -e SLF4J >&2)
