#!/usr/bin/env bash
# Prepares the GPU check (run here, on a machine without a GPU): builds Weft, compiles bundles
# for TARGET (default cuda:sm_90) of the corpus models named (default: gpt bert convbn mlp)
# with the shapes of their test_data_set_0 inputs, converts their test inputs and oracle
# outputs to safetensors, builds the device-side check jar against weft-runtime + weft-bundle
# only, jlinks a JRE of just the modules those jars need (jdeps), and copies the corpus
# TorchScript files for the PyTorch comparison while the whole carry stays under the device
# tool's 64 MiB limit (tracked files + gpu/pack). Everything lands in gpu/pack (git-ignored);
# docs/GPU.md says how to run it on the device.
#
# usage: gpu/pack.sh [model...]     env: TARGET, CORPUS (default ../shared/corpus), SKIP_BUILD=1
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
. .mvn/jdk25.sh
target=${TARGET:-cuda:sm_90}
corpus=${CORPUS:-$root/../shared/corpus}
models=("$@")
[ ${#models[@]} -gt 0 ] || models=(gpt bert convbn mlp)
limit=$((64 * 1024 * 1024))
margin=$((1024 * 1024)) # the tool's own bookkeeping; never plan to the last byte

# model name -> ONNX file and TorchScript file in the corpus
onnx_of() {
  case $1 in
    gpt) echo gpt/gpt_opset17.onnx ;; bert) echo bert/bert_opset13.onnx ;;
    mobilenet_v2) echo mobilenet_v2/mobilenet_v2_opset17.onnx ;; convbn) echo convbn/convbn_opset17.onnx ;;
    mlp) echo mlp/mlp_opset17.onnx ;; *) echo "gpu/pack.sh: unknown model '$1' (gpt bert mobilenet_v2 convbn mlp)" >&2; exit 2 ;;
  esac
}
pt_of() {
  case $1 in
    gpt) echo gpt/gpt_traced.pt ;; bert) echo bert/bert_traced.pt ;; mobilenet_v2) echo mobilenet_v2/mobilenet_v2_traced.pt ;;
    convbn) echo convbn/convbn_traced.pt ;; mlp) echo mlp/mlp_traced.pt ;;
  esac
}

if [ "${SKIP_BUILD:-0}" != 1 ]; then
  echo "== building weft (cli and its modules)"
  ./mvnw -q -B -pl cli -am install -DskipTests
fi
all_jar=cli/target/weft-cli-0.1.0-SNAPSHOT-all.jar
runtime_jar=runtime/target/weft-runtime-0.1.0-SNAPSHOT.jar
bundle_jar=bundle/target/weft-bundle-0.1.0-SNAPSHOT.jar
for j in "$all_jar" "$runtime_jar" "$bundle_jar"; do [ -f "$j" ] || { echo "gpu/pack.sh: missing $j" >&2; exit 2; }; done

pack=gpu/pack
rm -rf "$pack" gpu/build
mkdir -p "$pack/lib" "$pack/cases" gpu/build/classes

echo "== device-side check jar (weft-runtime + weft-bundle only)"
"$JAVA_HOME/bin/javac" --release 25 -d gpu/build/classes -cp "$runtime_jar:$bundle_jar" gpu/src/GpuCheck.java
"$JAVA_HOME/bin/jar" --create --file "$pack/lib/gpu-check.jar" -C gpu/build/classes .
cp "$runtime_jar" "$pack/lib/weft-runtime.jar"
cp "$bundle_jar" "$pack/lib/weft-bundle.jar"

echo "== JRE: modules from jdeps"
mods=$("$JAVA_HOME/bin/jdeps" --print-module-deps --ignore-missing-deps --multi-release 25 "$pack"/lib/*.jar)
echo "   modules: $mods"
"$JAVA_HOME/bin/jlink" --add-modules "$mods" --strip-debug --no-header-files --no-man-pages --compress zip-9 \
  --strip-native-debug-symbols=exclude-debuginfo-files --vm=server --output gpu/build/jre
# The CDS archive only speeds up start-up; it is 10+ MiB the carry cannot spare.
rm -f gpu/build/jre/lib/server/classes*.jsa
# The symbol tables of the JDK's libraries (libjvm.so: 5 MB of 30) serve only native debuggers;
# stripping them saves about 1 MiB of the compressed JRE. The dynamic symbols stay.
if command -v strip >/dev/null; then strip --strip-unneeded gpu/build/jre/lib/server/libjvm.so gpu/build/jre/lib/*.so; fi
gpu/build/jre/bin/java -version 2>&1 | tail -n 1
tar -C gpu/build -cJf "$pack/jre.tar.xz" jre
echo "$mods" > "$pack/jre-modules.txt"

echo "== bundles for $target"
args=()
for m in "${models[@]}"; do args+=("$m=$corpus/models/$(onnx_of "$m")"); done
"$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow -Xmx4g \
  -cp "$all_jar" gpu/src/GpuPack.java "$target" "$pack/cases" "${args[@]}"

# What travels: tracked files, untracked files git does not ignore, and the carried gpu/pack.
tree_bytes() {
  git ls-files -z --cached --others --exclude-standard | xargs -0 stat -c %s 2>/dev/null | awk '{s+=$1} END {print s+0}'
}
used=$(( $(tree_bytes) + $(du -sb "$pack" | cut -f1) ))

echo "== TorchScript files for the PyTorch comparison (xz: fp32 weights shrink ~8%; smallest first, while the carry fits)"
pts=()
for m in "${models[@]}"; do pts+=("$(stat -c %s "$corpus/models/$(pt_of "$m")") $m"); done
while read -r raw m; do
  xz -T1 -6 -c "$corpus/models/$(pt_of "$m")" > gpu/build/model.pt.xz
  size=$(stat -c %s gpu/build/model.pt.xz)
  if [ $((used + size + margin)) -le $limit ]; then
    mv gpu/build/model.pt.xz "$pack/cases/$m/model.pt.xz"
    used=$((used + size))
    echo "   $m: $(pt_of "$m") ($raw B, $size B as xz)"
  else
    echo "   $m: LEFT OUT $(pt_of "$m") ($size B as xz): it would take the carry over 64 MiB less 1 MiB; no PyTorch timing for $m"
  fi
done < <(printf '%s\n' "${pts[@]}" | sort -n)
rm -f gpu/build/model.pt.xz

echo "== sizes"
du -sb "$pack/jre.tar.xz" "$pack/lib" "$pack"/cases/* | awk '{printf "   %10d  %s\n", $1, $2}'
total=$(( $(tree_bytes) + $(du -sb "$pack" | cut -f1) ))
printf '   pack %d B, working tree + pack %d B of %d B (64 MiB)\n' "$(du -sb "$pack" | cut -f1)" "$total" "$limit"
if [ "$total" -gt $((limit - margin)) ]; then
  echo "gpu/pack.sh: working tree + pack is $total B, over the 64 MiB carry limit less 1 MiB; pack fewer models" >&2
  exit 1
fi
echo "ok: run on the device with carry [\"gpu/pack\"] and command: bash gpu/check.sh"
