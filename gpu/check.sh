#!/usr/bin/env bash
# The GPU check, run ON THE DEVICE MACHINE from the repository root after gpu/pack.sh ran here:
#   device run: command "bash gpu/check.sh", carry ["gpu/pack"], timeout_s 300
# Unpacks the jlinked JRE, runs every packed bundle through the runtime's cuda device (GpuCheck:
# oracle comparison, median latency) and adds PyTorch timings of the same models when torch is
# importable (torch_eager.py). Prints one JSON line per model last; logs go to $OUT.
# Exit status: GpuCheck's (1 when a model failed or mismatched).
set -uo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
pack=gpu/pack
out=${OUT:-/tmp/weft-gpu-out}
mkdir -p "$out"
[ -f "$pack/jre.tar.xz" ] || { echo "gpu/check.sh: no $pack/jre.tar.xz: run gpu/pack.sh first and carry gpu/pack" >&2; exit 2; }
export PYTHONUNBUFFERED=1

jre=/tmp/weft-jre
rm -rf "$jre" && mkdir -p "$jre"
tar -C "$jre" -xJf "$pack/jre.tar.xz" 2>/dev/null \
  || python3 -c 'import sys, tarfile; tarfile.open(sys.argv[1]).extractall(sys.argv[2])' "$pack/jre.tar.xz" "$jre" \
  || { echo "gpu/check.sh: cannot unpack the JRE" >&2; exit 2; }
java=$jre/jre/bin/java

{ nvidia-smi --query-gpu=name,driver_version,clocks.sm,clocks.mem,memory.used --format=csv,noheader 2>&1 || true; } | tee "$out/gpu.txt"
"$java" -version 2>&1 | tail -1

# Bundles compiled for cuda run their matmuls as cuBLASLt steps. PyTorch wheels carry their own
# libcublasLt outside the loader path: find one (loader cache, CUDA toolkit, torch's nvidia
# packages) and name it to the runtime; without one the runtime refuses the sessions by name.
cublaslt=$( { ldconfig -p 2>/dev/null | awk '/libcublasLt\.so/ {print $NF}';
  ls /usr/local/cuda*/lib64/libcublasLt.so* 2>/dev/null;
  python3 -c 'import glob, os, torch; d = os.path.dirname(torch.__file__); print("\n".join(glob.glob(d + "/../nvidia/cublas/lib/libcublasLt.so*") + glob.glob(d + "/lib/libcublasLt*.so*")))' 2>/dev/null;
  } | head -n 1)
echo "cuBLASLt: ${cublaslt:-not found}" | tee "$out/cublaslt.txt"
"$java" --enable-native-access=ALL-UNNAMED -Xmx8g ${cublaslt:+-Dweft.cublaslt.library="$cublaslt"} -cp "$pack/lib/*" GpuCheck "${DEVICE:-cuda}" "$pack"/cases/* \
  > "$out/weft.jsonl" 2> "$out/weft.stderr"
rc=$?
tail -n 40 "$out/weft.stderr"
python3 gpu/torch_eager.py "$pack/cases" "$out/weft.jsonl" > "$out/results.jsonl" 2> "$out/torch.stderr" \
  || { tail -n 20 "$out/torch.stderr"; cp "$out/weft.jsonl" "$out/results.jsonl"; }
echo "== results (one JSON line per model; weft times include host copies, see docs/GPU.md)"
cat "$out/results.jsonl"
exit $rc
