package dev.weft.bundle.program;

import dev.weft.bundle.DType;
import dev.weft.bundle.DTypeNames;
import dev.weft.bundle.Tensor;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The attributes of a {@code {"op": "library", "call": "matmul"}} step, in cuBLAS's own
 * column-major terms, exactly as the runtime hands them to cuBLASLt: per batch
 * {@code D = op(A) * op(B)} with {@code op(A)} m x k, {@code op(B)} k x n, D m x n, each matrix
 * column-major with its leading dimension, batches {@code stride_*} elements apart (0: the
 * same matrix for every batch). The step's {@code args} are {@code [A, B, D]}.
 *
 * <p>The compiler turns a row-major {@code C[M,N] = a[M,K] x b[K,N]} into this form with the
 * usual swap: a row-major matrix is its transpose column-major, so {@code C^T = b^T a^T} is a
 * column-major GEMM with {@code A = b}, {@code B = a}, {@code m = N}, {@code n = M}; no data
 * moves. {@link #hostRun} is the reference semantics (used by the program evaluator and tests).
 *
 * @param transA whether cuBLAS's A is transposed ({@code CUBLAS_OP_T})
 * @param dtype element type of A, B and D (float32, float16, bfloat16); accumulation is float32
 * @param epilogue {@code none} (bias/activation epilogues stay generated kernels for now)
 */
public record LibraryMatmul(long m, long n, long k, long batch, boolean transA, boolean transB,
                            long lda, long ldb, long ldc, long strideA, long strideB, long strideC,
                            DType dtype, String epilogue) {
  public static final String LIBRARY = "cublaslt";
  public static final String CALL = "matmul";
  /** Accumulation and scale type: float32 (CUBLAS_COMPUTE_32F, not TF32, to stay within float32 tolerances). */
  public static final String COMPUTE_TYPE = "float32";
  static final List<DType> DTYPES = List.of(DType.F32, DType.F16, DType.BF16);

  public LibraryMatmul {
    if (m < 1 || n < 1 || k < 1 || batch < 1) throw new IllegalArgumentException("matmul sizes must be >= 1: m=" + m + " n=" + n + " k=" + k + " batch=" + batch);
    if (lda < (transA ? k : m)) throw new IllegalArgumentException("lda " + lda + " < rows of A (" + (transA ? k : m) + ")");
    if (ldb < (transB ? n : k)) throw new IllegalArgumentException("ldb " + ldb + " < rows of B (" + (transB ? n : k) + ")");
    if (ldc < m) throw new IllegalArgumentException("ldc " + ldc + " < m " + m);
    if (strideA < 0 || strideB < 0 || strideC < 0) throw new IllegalArgumentException("batch strides must be >= 0");
    if (batch > 1 && strideC < ldc * n) throw new IllegalArgumentException("stride_c " + strideC + " overlaps batches of D");
    if (!DTYPES.contains(dtype)) throw new IllegalArgumentException("matmul dtype " + DTypeNames.of(dtype) + " is not float32, float16 or bfloat16");
    if (!epilogue.equals("none")) throw new IllegalArgumentException("unknown epilogue \"" + epilogue + "\" (expected none)");
  }

  /** The step's attrs (keys sorted by {@link Step.Library}). */
  public Map<String, Object> attrs() {
    Map<String, Object> a = new TreeMap<>();
    a.put("m", m);
    a.put("n", n);
    a.put("k", k);
    a.put("batch", batch);
    a.put("trans_a", transA ? 1L : 0L);
    a.put("trans_b", transB ? 1L : 0L);
    a.put("lda", lda);
    a.put("ldb", ldb);
    a.put("ldc", ldc);
    a.put("stride_a", strideA);
    a.put("stride_b", strideB);
    a.put("stride_c", strideC);
    a.put("dtype", DTypeNames.of(dtype));
    a.put("compute_type", COMPUTE_TYPE);
    a.put("epilogue", epilogue);
    return a;
  }

  public Step.Library step(String a, String b, String d) {
    return new Step.Library(LIBRARY, CALL, List.of(a, b, d), List.of(), attrs());
  }

  /** Whether a library step is a matmul this record describes. */
  public static boolean isMatmul(Step.Library s) { return s.library().equals(LIBRARY) && s.call().equals(CALL); }

  /** Reads and checks a step's attrs; an error names the field. */
  public static LibraryMatmul of(Step.Library s) {
    if (!isMatmul(s)) throw new IllegalArgumentException("not a cublaslt matmul: " + s.library() + "." + s.call());
    if (s.args().size() != 3) throw new IllegalArgumentException("matmul takes args [A, B, D], got " + s.args());
    Map<String, Object> a = s.attrs();
    for (String key : a.keySet()) {
      if (!List.of("m", "n", "k", "batch", "trans_a", "trans_b", "lda", "ldb", "ldc", "stride_a", "stride_b", "stride_c",
          "dtype", "compute_type", "epilogue").contains(key)) throw new IllegalArgumentException("attrs." + key + ": unknown field");
    }
    String compute = text(a, "compute_type");
    if (!compute.equals(COMPUTE_TYPE)) throw new IllegalArgumentException("attrs.compute_type: \"" + compute + "\" is not float32");
    DType dt = DTypeNames.parse(text(a, "dtype"));
    if (dt == null) throw new IllegalArgumentException("attrs.dtype: unknown dtype \"" + a.get("dtype") + "\"");
    return new LibraryMatmul(num(a, "m"), num(a, "n"), num(a, "k"), num(a, "batch"), flag(a, "trans_a"), flag(a, "trans_b"),
        num(a, "lda"), num(a, "ldb"), num(a, "ldc"), num(a, "stride_a"), num(a, "stride_b"), num(a, "stride_c"), dt,
        text(a, "epilogue"));
  }

  private static long num(Map<String, Object> a, String key) {
    if (!(a.get(key) instanceof Number x) || x.doubleValue() != x.longValue()) {
      throw new IllegalArgumentException("attrs." + key + ": expected an integer, got " + a.get(key));
    }
    return x.longValue();
  }

  private static boolean flag(Map<String, Object> a, String key) {
    long v = num(a, key);
    if (v != 0 && v != 1) throw new IllegalArgumentException("attrs." + key + ": expected 0 or 1, got " + v);
    return v == 1;
  }

  private static String text(Map<String, Object> a, String key) {
    if (!(a.get(key) instanceof String s)) throw new IllegalArgumentException("attrs." + key + ": expected a string, got " + a.get(key));
    return s;
  }

  /** Elements each operand spans (for bounds checks against the buffers). */
  public long elementsA() { return (batch - 1) * strideA + lda * (transA ? m : k); }

  public long elementsB() { return (batch - 1) * strideB + ldb * (transB ? k : n); }

  public long elementsD() { return (batch - 1) * strideC + ldc * n; }

  /**
   * Runs the GEMM on host memory, column-major as cuBLAS defines it, accumulating in float32 in
   * k order and rounding once to {@code dtype}. Fails if a segment is too small.
   */
  public void hostRun(MemorySegment a, MemorySegment b, MemorySegment d) {
    Tensor ta = view(a, elementsA(), "A");
    Tensor tb = view(b, elementsB(), "B");
    Tensor td = view(d, elementsD(), "D");
    for (long p = 0; p < batch; p++) {
      for (long j = 0; j < n; j++) {
        for (long i = 0; i < m; i++) {
          float acc = 0;
          for (long l = 0; l < k; l++) {
            float x = ta.getFloat(p * strideA + (transA ? l + i * lda : i + l * lda));
            float y = tb.getFloat(p * strideB + (transB ? j + l * ldb : l + j * ldb));
            acc += x * y;
          }
          td.setDouble(p * strideC + i + j * ldc, acc);
        }
      }
    }
  }

  private Tensor view(MemorySegment s, long elements, String what) {
    long need = elements * dtype.byteSize();
    if (s.byteSize() < need) throw new IllegalArgumentException("matmul operand " + what + " has " + s.byteSize() + " bytes, needs " + need);
    return Tensor.wrap(dtype, new long[] {elements}, s.asSlice(0, need));
  }
}
