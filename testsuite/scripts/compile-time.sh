#!/usr/bin/env bash
# Compile-time benchmark (BENCHMARKS.md, "compile time"): `weft compile` wall time per model,
#   cold        fresh JVM, empty JavaCPP native cache (LLVM unpacked again), empty kernel cache
#   warm-native fresh JVM, native libraries already unpacked, empty kernel cache
#   warm-kernel fresh JVM, kernel cache filled by the previous run
# then runtime start to first result for the gpt bundle (FirstResultMain, runtime only).
# Uses its own temporary caches; never touches ~/.javacpp or ~/.cache/weft.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
corpus=${WEFT_CORPUS:-$root/../shared/corpus}
work=$(mktemp -d /tmp/weft-compile-time.XXXXXX)
trap 'rm -rf "$work"' EXIT
"$root/weft" --version >/dev/null
run() { # label model shapes javacpp-cache kernel-cache out; prints wall and CPU (user+sys) seconds
  WEFT_JAVA_OPTS="-Dorg.bytedeco.javacpp.cachedir=$4" WEFT_CACHE="$5" /usr/bin/time -o "$work/time" -f '%e %U %S' \
    "$root/weft" compile "$2" ${3:+--shapes "$3"} -o "$6" --json > "$work/json"
  read -r wall user sys < "$work/time"
  printf '%-26s %-12s wall %6.2f s  cpu %6.2f s  stages %s\n' "$(basename "$2")" "$1" "$wall" "$(echo "$user + $sys" | bc)" \
    "$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print("in-JVM %d ms: " % d["wall_ms"] + " ".join("%s=%d" % kv for kv in d["stage_ms"].items()))' "$work/json")"
}
while read -r model shapes; do
  [ -n "${ONLY:-}" ] && [[ $model != "$ONLY"* ]] && continue  # ONLY=gpt runs one model
  m="$corpus/models/$model"
  [ -f "$m" ] || { echo "SKIP $m (absent)"; continue; }
  n=$(basename "$m" .onnx)
  run cold "$m" "$shapes" "$work/jc-cold-$n" "$work/kc-cold-$n" "$work/b-cold-$n"
  run warm-native "$m" "$shapes" "$work/jc-cold-$n" "$work/kc-$n" "$work/b-wn-$n"
  run warm-kernel "$m" "$shapes" "$work/jc-cold-$n" "$work/kc-$n" "$work/b-wk-$n"
done <<'MODELS'
gpt/gpt_opset17.onnx input_ids=1x64
bert/bert_opset13.onnx input_ids=2x32,attention_mask=2x32
mobilenet_v2/mobilenet_v2_opset17.onnx input=1x3x224x224
MODELS
if [ -d "$work/b-wk-gpt_opset17" ] && [ -z "${NO_RUNTIME:-}" ]; then
  (cd "$root" && ./mvnw -q -B -pl testsuite -am test-compile dependency:build-classpath -Dmdep.outputFile=target/classpath.txt >/dev/null)
  cp="$root/testsuite/target/test-classes:$root/testsuite/target/classes:$(cat "$root/testsuite/target/classpath.txt")"
  . "$root/.mvn/jdk25.sh"
  for i in 1 2 3; do
    t0=$(date +%s%N)
    "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow -cp "$cp" \
      dev.weft.testsuite.FirstResultMain "$work/b-wk-gpt_opset17"
    t1=$(date +%s%N)
    echo "  process wall (launch to exit): $(((t1 - t0) / 1000000)) ms"
  done
fi
