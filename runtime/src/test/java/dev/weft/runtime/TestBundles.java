package dev.weft.runtime;

import dev.weft.bundle.BundleWriter;
import dev.weft.bundle.DType;
import dev.weft.bundle.DimExpr;
import dev.weft.bundle.Tensor;
import dev.weft.bundle.manifest.DimRange;
import dev.weft.bundle.manifest.KernelImage;
import dev.weft.bundle.manifest.Manifest;
import dev.weft.bundle.manifest.Mesh;
import dev.weft.bundle.manifest.RankEntry;
import dev.weft.bundle.manifest.ShapeProfile;
import dev.weft.bundle.manifest.Target;
import dev.weft.bundle.manifest.TensorSpec;
import dev.weft.bundle.manifest.Toolchain;
import dev.weft.bundle.program.Buffer;
import dev.weft.bundle.program.Geometry;
import dev.weft.bundle.program.Program;
import dev.weft.bundle.program.Step;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A hand-built bundle for a tiny model with symbolic dims {@code batch} (1..8) and {@code n}
 * (1..16):
 * <pre>
 *   t0   = x + z                     (weft_add, extent batch*n)
 *   t0v  = view of t0                (identity)
 *   y    = rowsum(t0v)               (weft_rowsum, dims [n], extent batch)
 *   rows = y * w[0] + w[1]           (weft_affine, w a bf16 weight, extent batch)
 *   sum  = copy of t0                (copy step, 4*batch*n bytes)
 * </pre>
 */
final class TestBundles {
  private TestBundles() {}

  /** The kernels, following docs/KERNELS.md's host ABI. */
  static final String KERNELS_C = """
      #include <stdint.h>
      #include <string.h>
      const int32_t weft_abi_version = 1;

      void weft_add(void **buf, const int64_t *dims, int64_t begin, int64_t end) {
        const float *a = buf[0], *b = buf[1];
        float *y = buf[2];
        for (int64_t p = begin; p < end; p++) y[p] = a[p] + b[p];
      }

      void weft_rowsum(void **buf, const int64_t *dims, int64_t begin, int64_t end) {
        const float *x = buf[0];
        float *y = buf[1];
        int64_t n = dims[0];
        for (int64_t p = begin; p < end; p++) {
          float s = 0;
          for (int64_t c = 0; c < n; c++) s += x[p * n + c];
          y[p] = s;
        }
      }

      static float bf16(uint16_t h) { uint32_t u = (uint32_t) h << 16; float f; memcpy(&f, &u, 4); return f; }

      void weft_affine(void **buf, const int64_t *dims, int64_t begin, int64_t end) {
        const float *y = buf[0];
        const uint16_t *w = buf[1];
        float *out = buf[2];
        for (int64_t p = begin; p < end; p++) out[p] = y[p] * bf16(w[0]) + bf16(w[1]);
      }
      """;

  static final int MAX_BATCH = 8;
  static final int MAX_N = 16;

  static Program program(boolean gpu) {
    DimExpr batch = DimExpr.symbol("batch");
    DimExpr n = DimExpr.symbol("n");
    long maxBytes = 4L * MAX_BATCH * MAX_N;
    Geometry g = gpu ? Geometry.of(4, 32, 0) : null;
    return Program.builder().arenaBytes(maxBytes + 4L * MAX_BATCH)
        .buffer(Buffer.input("x", DType.F32, List.of(batch, n), maxBytes))
        .buffer(Buffer.input("z", DType.F32, List.of(batch, n), maxBytes))
        .buffer(Buffer.weight("w", DType.BF16, Buffer.dims(2), 4))
        .buffer(Buffer.arena("t0", DType.F32, List.of(batch, n), maxBytes, 0))
        .buffer(Buffer.view("t0v", DType.F32, List.of(batch, n), maxBytes, "t0", 0))
        .buffer(Buffer.arena("y", DType.F32, List.of(batch), 4L * MAX_BATCH, maxBytes))
        .buffer(Buffer.output("rows", DType.F32, List.of(batch), 4L * MAX_BATCH))
        .buffer(Buffer.output("sum", DType.F32, List.of(batch, n), maxBytes))
        .dim("batch", "x", 0)
        .dim("n", "x", 1)
        .launch("weft_add", List.of("x", "z", "t0"), List.of(), new DimExpr(1, List.of("batch", "n")), g, "g0", List.of("/Add"))
        .launch("weft_rowsum", List.of("t0v", "y"), List.of("n"), batch, g, "g1", List.of("/ReduceSum"))
        .launch("weft_affine", List.of("y", "w", "rows"), List.of(), batch, g, "g2", List.of("/Mul", "/Add_1"))
        .copy("t0", "sum", new DimExpr(4, List.of("batch", "n")))
        .build();
  }

  /** w = [1.5, -2] as bf16 (both exact). */
  static Map<String, Tensor> weights() {
    return Map.of("w", Tensor.of(DType.BF16, new long[] {2}, 1.5, -2.0));
  }

  static Manifest manifest(String kind, String arch, Map<String, String> toolchain, List<RankEntry> ranks, Mesh mesh) {
    DimExpr batch = DimExpr.symbol("batch");
    DimExpr n = DimExpr.symbol("n");
    return new Manifest(1, "0.1.0-test", Target.of(kind, arch), Toolchain.of("test-toolchain", toolchain), mesh,
        List.of(new TensorSpec("x", DType.F32, List.of(batch, n)), new TensorSpec("z", DType.F32, List.of(batch, n))),
        List.of(new TensorSpec("rows", DType.F32, List.of(batch)), new TensorSpec("sum", DType.F32, List.of(batch, n))),
        List.of(new ShapeProfile("default", new TreeMap<>(Map.of("batch", DimRange.of(1, MAX_BATCH), "n", DimRange.of(1, MAX_N))))),
        Map.of(), ranks);
  }

  /** Writes a cpu bundle of {@code ranks} identical ranks (mesh 1 x ranks) with {@code kernelsSo} in each. */
  static Path writeCpu(Path dir, Path kernelsSo, int ranks) {
    BundleWriter w = BundleWriter.create(dir);
    String arch = dev.weft.runtime.cpu.CpuTestAccess.hostArch();
    List<RankEntry> entries = new ArrayList<>();
    for (int r = 0; r < ranks; r++) {
      w.writeProgram(r, program(false));
      w.writeWeights(r, new LinkedHashMap<>(weights()));
      String so = "ranks/" + r + "/kernels.so";
      w.copyFile(so, kernelsSo);
      entries.add(RankEntry.standard(r, r, List.of(new KernelImage(so, "so", arch)), true));
    }
    w.writeString("ir/00-import.wir", "// not read by the runtime\n");
    w.finish(manifest("cpu", arch, Map.of("kernel_abi", "1"), entries, new Mesh(1, ranks)));
    return dir;
  }

  /** A fake GPU kernel file: its manifest entry and its bytes. */
  record FakeImage(String format, String arch, String content) {}

  /** Writes a one-rank GPU bundle whose kernels are the given fake images. */
  static Path writeGpu(Path dir, String kind, String arch, Map<String, String> toolchain, List<FakeImage> images) {
    BundleWriter w = BundleWriter.create(dir);
    w.writeProgram(0, program(true));
    w.writeWeights(0, new LinkedHashMap<>(weights()));
    List<KernelImage> entries = new ArrayList<>();
    for (FakeImage img : images) {
      String path = "ranks/0/kernels." + img.arch() + "." + img.format();
      w.writeString(path, img.content());
      entries.add(new KernelImage(path, img.format(), img.arch()));
    }
    w.finish(manifest(kind, arch, toolchain, List.of(RankEntry.standard(0, 0, entries, true)), Mesh.single()));
    return dir;
  }

  /** Random inputs of the given size. */
  static Map<String, Tensor> inputs(int batch, int n, long seed) {
    java.util.Random r = new java.util.Random(seed);
    float[] x = new float[batch * n];
    float[] z = new float[batch * n];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) r.nextInt(-50, 50) / 4;
      z[i] = (float) r.nextInt(-50, 50) / 8;
    }
    Map<String, Tensor> in = new LinkedHashMap<>();
    in.put("x", Tensor.ofFloats(new long[] {batch, n}, x));
    in.put("z", Tensor.ofFloats(new long[] {batch, n}, z));
    return in;
  }

  /** What the model computes, in plain Java (sums of quarter and eighth integers are exact in float). */
  static Map<String, float[]> expected(Map<String, Tensor> in) {
    float[] x = in.get("x").toFloatArray();
    float[] z = in.get("z").toFloatArray();
    int batch = (int) in.get("x").dim(0);
    int n = (int) in.get("x").dim(1);
    float[] sum = new float[x.length];
    for (int i = 0; i < x.length; i++) sum[i] = x[i] + z[i];
    float[] rows = new float[batch];
    for (int b = 0; b < batch; b++) {
      float s = 0;
      for (int c = 0; c < n; c++) s += sum[b * n + c];
      rows[b] = s * 1.5f + -2f;
    }
    return Map.of("sum", sum, "rows", rows);
  }
}
