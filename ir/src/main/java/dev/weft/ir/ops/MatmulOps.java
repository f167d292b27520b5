package dev.weft.ir.ops;

import dev.weft.bundle.DType;
import dev.weft.bundle.Tensor;
import dev.weft.ir.Attribute;
import dev.weft.ir.Dim;
import dev.weft.ir.InferContext;
import dev.weft.ir.OpDef;
import dev.weft.ir.OpLibrary;
import dev.weft.ir.Shape;
import dev.weft.ir.TensorType;
import dev.weft.ir.Type;
import dev.weft.ir.interp.KernelContext;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

/**
 * {@code matmul}: numpy matmul (1-D operands promoted and squeezed again, batch dims broadcast).
 * Float operands share a dtype and accumulate in f32 (f64 for f64). Integer operands may differ
 * (u8 x i8) and may carry zero points (operands 2 and 3: scalar, per row of A, per column of B)
 * subtracted before multiplying; they accumulate in the {@code result_type} width (default: A's
 * dtype), wrapping like two's complement. That covers ONNX MatMulInteger (i32 accumulation).
 *
 * <p>{@code transpose_a} / {@code transpose_b} (0 or 1, default 0): the operand as stored has
 * its last two dims swapped, so {@code matmul(x, y) {transpose_b = 1}} is
 * {@code matmul(x, transpose(y, [..., -1, -2]))} without the transposed copy (BLAS's transA /
 * transB; the layout pass folds such transposes in). Everything else (1-D promotion is not
 * allowed with a flag, batch broadcasting, zero points per row of the logical A) applies to
 * the operand after the swap.
 */
public final class MatmulOps implements OpLibrary {
  @Override
  public List<OpDef> ops() {
    return List.of(OpDef.core("matmul").inputs(2, 4)
        .optional("result_type", Attribute.Kind.DTYPE)
        .optional("transpose_a", Attribute.Kind.INT)
        .optional("transpose_b", Attribute.Kind.INT)
        .infer(MatmulOps::infer)
        .kernel(MatmulOps::kernel)
        .doc("numpy matmul; integer operands take optional zero points and accumulate in result_type;"
            + " transpose_a/transpose_b swap an operand's last two dims first")
        .build());
  }

  static List<Type> infer(InferContext c) {
    TensorType a = c.tensor(0);
    TensorType b = c.tensor(1);
    DType out;
    if (a.dtype().isFloat() || b.dtype().isFloat()) {
      if (a.dtype() != b.dtype()) throw c.fail("matmul operands differ in dtype: " + a.dtype() + " and " + b.dtype());
      if (c.hasInput(2) || c.hasInput(3)) throw c.fail("zero points are only for integer matmul");
      out = a.dtype();
    } else if (a.dtype().isInteger() && b.dtype().isInteger()) {
      out = c.attrs().hasValue("result_type") ? c.attrs().getDType("result_type") : a.dtype();
      if (!out.isInteger()) throw c.fail("integer matmul result_type must be an integer type, got " + out);
    } else {
      throw c.fail("matmul is not defined for " + a.dtype() + " x " + b.dtype());
    }
    if (!a.shape().isRanked() || !b.shape().isRanked()) return List.of(new TensorType(out, Shape.unranked()));
    List<Dim> da = new ArrayList<>(a.shape().dims());
    List<Dim> db = new ArrayList<>(b.shape().dims());
    if (da.isEmpty() || db.isEmpty()) throw c.fail("matmul operands must have rank >= 1");
    swapLastTwo(da, transposed(c.attrs().getIntOr("transpose_a", 0), "transpose_a", c), "transpose_a", c);
    swapLastTwo(db, transposed(c.attrs().getIntOr("transpose_b", 0), "transpose_b", c), "transpose_b", c);
    boolean va = da.size() == 1;
    boolean vb = db.size() == 1;
    if (va) da.add(0, Dim.of(1));
    if (vb) db.add(Dim.of(1));
    Dim ka = da.get(da.size() - 1);
    Dim kb = db.get(db.size() - 2);
    if (ka.isStatic() && kb.isStatic() && ka.size() != kb.size()) {
      throw c.fail("matmul contracting dims differ: " + a.shape() + " x " + b.shape());
    }
    Shape batch;
    try {
      batch = Broadcast.shapes(new Shape(da.subList(0, da.size() - 2)), new Shape(db.subList(0, db.size() - 2)));
    } catch (RuntimeException e) {
      throw c.fail("matmul batch dims do not broadcast: " + a.shape() + " x " + b.shape());
    }
    List<Dim> res = new ArrayList<>(batch.dims());
    if (!va) res.add(da.get(da.size() - 2));
    if (!vb) res.add(db.get(db.size() - 1));
    return List.of(new TensorType(out, new Shape(res)));
  }

  private static boolean transposed(long flag, String name, InferContext c) {
    if (flag != 0 && flag != 1) throw c.fail(name + " must be 0 or 1, got " + flag);
    return flag == 1;
  }

  private static void swapLastTwo(List<Dim> dims, boolean swap, String name, InferContext c) {
    if (!swap) return;
    if (dims.size() < 2) throw c.fail(name + " needs an operand of rank >= 2, got rank " + dims.size());
    java.util.Collections.swap(dims, dims.size() - 1, dims.size() - 2);
  }

  /** The operand as the product reads it: {@code t} with its last two dims swapped when {@code flag} is 1. */
  static Tensor logical(Tensor t, long flag) {
    if (flag == 0) return t;
    int r = t.rank();
    int[] perm = new int[r];
    for (int i = 0; i < r; i++) perm[i] = i;
    perm[r - 1] = r - 2;
    perm[r - 2] = r - 1;
    return ShapeOps.permute(t, perm);
  }

  /** Operand geometry after 1-D promotion: batch shape, M, K, N and per-operand batch offsets. */
  record Plan(long[] outShape, int batches, int m, int k, int n, int[] aOff, int[] bOff) {}

  static Plan plan(long[] sa, long[] sb) {
    boolean va = sa.length == 1;
    boolean vb = sb.length == 1;
    long[] a = va ? new long[] {1, sa[0]} : sa;
    long[] b = vb ? new long[] {sb[0], 1} : sb;
    int m = (int) a[a.length - 2];
    int k = (int) a[a.length - 1];
    int n = (int) b[b.length - 1];
    if (b[b.length - 2] != k) throw new IllegalArgumentException("matmul contracting dims differ: " + k + " vs " + b[b.length - 2]);
    long[] ba = java.util.Arrays.copyOf(a, a.length - 2);
    long[] bb = java.util.Arrays.copyOf(b, b.length - 2);
    long[] batch = Broadcast.sizes(ba, bb);
    long[] ma = Broadcast.indexMap(ba, batch);
    long[] mb = Broadcast.indexMap(bb, batch);
    int nb = Math.toIntExact(Tensor.elementCount(batch));
    int[] aOff = new int[nb];
    int[] bOff = new int[nb];
    for (int i = 0; i < nb; i++) {
      aOff[i] = Math.toIntExact((ma == null ? i : ma[i]) * (long) m * k);
      bOff[i] = Math.toIntExact((mb == null ? i : mb[i]) * (long) k * n);
    }
    List<Long> out = new ArrayList<>();
    for (long d : batch) out.add(d);
    if (!va) out.add((long) m);
    if (!vb) out.add((long) n);
    return new Plan(out.stream().mapToLong(Long::longValue).toArray(), nb, m, k, n, aOff, bOff);
  }

  static Object[] kernel(KernelContext c) {
    Tensor a = logical(c.tensor(0), c.attrs().getIntOr("transpose_a", 0));
    Tensor b = logical(c.tensor(1), c.attrs().getIntOr("transpose_b", 0));
    DType outType = c.outputType(0).dtype();
    Plan p = plan(a.shape(), b.shape());
    if (a.dtype().isFloat()) {
      if (a.dtype() == DType.F64) return KernelContext.one(fromD(p, matmulD(a.toDoubleArray(), b.toDoubleArray(), p)));
      float[] out = matmulF(a.toFloatArray(), b.toFloatArray(), p);
      return KernelContext.one(NnSupport.fromFloats(outType, p.outShape(), out));
    }
    return KernelContext.one(integer(c, a, b, p, outType));
  }

  private static Tensor fromD(Plan p, double[] v) { return Tensor.ofDoubles(p.outShape(), v); }

  /** Batched float matmul on flat row-major arrays. */
  public static float[] matmulF(float[] a, float[] b, Plan p) {
    int m = p.m(), k = p.k(), n = p.n();
    float[] c = new float[Math.toIntExact((long) p.batches() * m * n)];
    int rowBlocks = (m + 15) / 16;
    int tasks = p.batches() * rowBlocks;
    IntStream range = IntStream.range(0, tasks);
    if ((long) p.batches() * m * k * n > (1 << 18)) range = range.parallel();
    range.forEach(t -> {
      int bi = t / rowBlocks;
      int r0 = (t % rowBlocks) * 16;
      gemmBlock(a, p.aOff()[bi], b, p.bOff()[bi], c, bi * m * n, r0, Math.min(m, r0 + 16), k, n);
    });
    return c;
  }

  /** c[co..] += a[ao..] (m x k) x b[bo..] (k x n); row blocks run in parallel when asked and large. */
  public static void gemm(float[] a, int ao, float[] b, int bo, float[] c, int co, int m, int k, int n, boolean parallel) {
    int rowBlocks = (m + 15) / 16;
    IntStream range = IntStream.range(0, rowBlocks);
    if (parallel && rowBlocks > 1 && (long) m * k * n > (1 << 18)) range = range.parallel();
    range.forEach(t -> gemmBlock(a, ao, b, bo, c, co, t * 16, Math.min(m, t * 16 + 16), k, n));
  }

  /** c[rows r0..r1) = a x b for one batch, blocked over k and n so a panel of b stays in cache. */
  static void gemmBlock(float[] a, int ao, float[] b, int bo, float[] c, int co, int r0, int r1, int k, int n) {
    final int kb = 256;
    final int nb = 1024;
    for (int k0 = 0; k0 < k; k0 += kb) {
      int k1 = Math.min(k, k0 + kb);
      for (int j0 = 0; j0 < n; j0 += nb) {
        int j1 = Math.min(n, j0 + nb);
        for (int i = r0; i < r1; i++) {
          int crow = co + i * n;
          int arow = ao + i * k;
          for (int kk = k0; kk < k1; kk++) {
            float av = a[arow + kk];
            if (av == 0f) continue;
            int brow = bo + kk * n;
            for (int j = j0; j < j1; j++) c[crow + j] += av * b[brow + j];
          }
        }
      }
    }
  }

  static double[] matmulD(double[] a, double[] b, Plan p) {
    int m = p.m(), k = p.k(), n = p.n();
    double[] c = new double[Math.toIntExact((long) p.batches() * m * n)];
    for (int bi = 0; bi < p.batches(); bi++) {
      int ao = p.aOff()[bi], bo = p.bOff()[bi], co = bi * m * n;
      for (int i = 0; i < m; i++) {
        for (int kk = 0; kk < k; kk++) {
          double av = a[ao + i * k + kk];
          for (int j = 0; j < n; j++) c[co + i * n + j] += av * b[bo + kk * n + j];
        }
      }
    }
    return c;
  }

  private static Tensor integer(KernelContext c, Tensor a, Tensor b, Plan p, DType outType) {
    int m = p.m(), k = p.k(), n = p.n();
    long[] av = a.toLongArray();
    long[] bv = b.toLongArray();
    if (c.has(2)) subtractZeroPoint(av, c.tensor(2), k, true, c);
    if (c.has(3)) subtractZeroPoint(bv, c.tensor(3), n, false, c);
    Tensor out = Tensor.zeros(outType, p.outShape());
    boolean narrow = outType.bits() <= 32;
    int[] ai = null, bi = null;
    if (narrow) {
      ai = new int[av.length];
      bi = new int[bv.length];
      for (int i = 0; i < av.length; i++) ai[i] = (int) av[i];
      for (int i = 0; i < bv.length; i++) bi[i] = (int) bv[i];
    }
    int[] acc = new int[n];
    long[] accL = new long[n];
    for (int bt = 0; bt < p.batches(); bt++) {
      int ao = p.aOff()[bt], bo = p.bOff()[bt];
      for (int i = 0; i < m; i++) {
        if (narrow) {
          java.util.Arrays.fill(acc, 0);
          for (int kk = 0; kk < k; kk++) {
            int x = ai[ao + i * k + kk];
            if (x == 0) continue;
            int brow = bo + kk * n;
            for (int j = 0; j < n; j++) acc[j] += x * bi[brow + j];
          }
          long base = ((long) bt * m + i) * n;
          for (int j = 0; j < n; j++) out.setLong(base + j, acc[j]);
        } else {
          java.util.Arrays.fill(accL, 0);
          for (int kk = 0; kk < k; kk++) {
            long x = av[ao + i * k + kk];
            int brow = bo + kk * n;
            for (int j = 0; j < n; j++) accL[j] += x * bv[brow + j];
          }
          long base = ((long) bt * m + i) * n;
          for (int j = 0; j < n; j++) out.setLong(base + j, accL[j]);
        }
      }
    }
    return out;
  }

  /** Zero point: a scalar, or 1-D per row of A ({@code rowsOfA}) / per column of B. */
  private static void subtractZeroPoint(long[] v, Tensor zp, int inner, boolean rowsOfA, KernelContext c) {
    if (zp.size() == 1) {
      long z = zp.getLong(0);
      for (int i = 0; i < v.length; i++) v[i] -= z;
      return;
    }
    if (rowsOfA) {
      // One zero point per row of A: element i belongs to row (i / K) within each matrix.
      long rows = v.length / inner;
      if (zp.size() != rows && rows % zp.size() != 0) throw c.fail("a_zero_point has " + zp.size() + " elements");
      for (int i = 0; i < v.length; i++) v[i] -= zp.getLong((i / inner) % zp.size());
    } else {
      if (inner % 1 != 0 || zp.size() % inner != 0 && zp.size() != inner) throw c.fail("b_zero_point has " + zp.size() + " elements");
      for (int i = 0; i < v.length; i++) v[i] -= zp.getLong(i % inner);
    }
  }
}
