package dev.weft.runtime.cuda;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.weft.bundle.DType;
import dev.weft.bundle.program.LibraryMatmul;
import dev.weft.runtime.DeviceException;
import dev.weft.runtime.gpu.DriverApi;
import dev.weft.runtime.gpu.GemmLibrary;
import dev.weft.runtime.gpu.NativeLibrary;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * cuBLASLt ({@code libcublasLt.so.13}, {@code .so.12} or {@code .so}) through FFM. Each distinct
 * matmul gets its descriptors and its algorithm ({@code cublasLtMatmulAlgoGetHeuristic}, best
 * first) once, kept until close; {@code cublasLtMatmul} then only enqueues on the caller's
 * stream, which CUDA graph capture records like a launch. Enum values are those of
 * {@code cublasLt.h} / {@code library_types.h} (CUDA 12 and 13 agree on them).
 */
public final class CublasLt implements GemmLibrary {
  public static final List<String> SONAMES = List.of("libcublasLt.so.13", "libcublasLt.so.12", "libcublasLt.so");
  static final int CUBLAS_COMPUTE_32F = 68;
  static final int CUDA_R_32F = 0;
  static final int CUDA_R_16F = 2;
  static final int CUDA_R_16BF = 14;
  static final int DESC_TRANSA = 3;
  static final int DESC_TRANSB = 4;
  static final int DESC_EPILOGUE = 7;
  static final int EPILOGUE_DEFAULT = 1;
  static final int LAYOUT_BATCH_COUNT = 5;
  static final int LAYOUT_STRIDED_BATCH_OFFSET = 6;
  static final int PREF_MAX_WORKSPACE_BYTES = 1;
  /** sizeof(cublasLtMatmulHeuristicResult_t): algo (8 x u64), workspaceSize, state, wavesCount, reserved[4]. */
  static final long HEURISTIC_BYTES = 96;
  static final long HEURISTIC_WORKSPACE_OFFSET = 64;
  static final long HEURISTIC_STATE_OFFSET = 72;
  /** NVIDIA recommends 32 MiB of workspace on Hopper; smaller architectures use less of it. */
  static final long WORKSPACE_BYTES = 32L << 20;

  private final NativeLibrary lib;
  private final MethodHandle create;
  private final MethodHandle destroy;
  private final MethodHandle descCreate;
  private final MethodHandle descDestroy;
  private final MethodHandle descSet;
  private final MethodHandle layoutCreate;
  private final MethodHandle layoutDestroy;
  private final MethodHandle layoutSet;
  private final MethodHandle prefCreate;
  private final MethodHandle prefDestroy;
  private final MethodHandle prefSet;
  private final MethodHandle heuristic;
  private final MethodHandle matmul;
  private final Arena arena = Arena.ofShared();
  private final Map<LibraryMatmul, Plan> plans = new ConcurrentHashMap<>();
  private final MemorySegment one;
  private final MemorySegment zero;
  private volatile long handle;

  /** Descriptors and the chosen algorithm of one matmul shape. */
  private record Plan(long desc, long a, long b, long d, MemorySegment algo, long workspace) {}

  private static FunctionDescriptor st(MemoryLayout... args) { return FunctionDescriptor.of(JAVA_INT, args); }

  /** Resolves every function now, so a library missing one fails at session creation, naming it. */
  public CublasLt(NativeLibrary lib) {
    this.lib = lib;
    create = lib.function("cublasLtCreate", st(ADDRESS));
    destroy = lib.function("cublasLtDestroy", st(ADDRESS));
    descCreate = lib.function("cublasLtMatmulDescCreate", st(ADDRESS, JAVA_INT, JAVA_INT));
    descDestroy = lib.function("cublasLtMatmulDescDestroy", st(ADDRESS));
    descSet = lib.function("cublasLtMatmulDescSetAttribute", st(ADDRESS, JAVA_INT, ADDRESS, JAVA_LONG));
    layoutCreate = lib.function("cublasLtMatrixLayoutCreate", st(ADDRESS, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_LONG));
    layoutDestroy = lib.function("cublasLtMatrixLayoutDestroy", st(ADDRESS));
    layoutSet = lib.function("cublasLtMatrixLayoutSetAttribute", st(ADDRESS, JAVA_INT, ADDRESS, JAVA_LONG));
    prefCreate = lib.function("cublasLtMatmulPreferenceCreate", st(ADDRESS));
    prefDestroy = lib.function("cublasLtMatmulPreferenceDestroy", st(ADDRESS));
    prefSet = lib.function("cublasLtMatmulPreferenceSetAttribute", st(ADDRESS, JAVA_INT, ADDRESS, JAVA_LONG));
    heuristic = lib.function("cublasLtMatmulAlgoGetHeuristic", st(ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS,
        ADDRESS, JAVA_INT, ADDRESS, ADDRESS));
    matmul = lib.function("cublasLtMatmul", st(ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS,
        ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG, ADDRESS));
    one = arena.allocate(JAVA_FLOAT);
    one.set(JAVA_FLOAT, 0, 1f);
    zero = arena.allocate(JAVA_FLOAT);
    zero.set(JAVA_FLOAT, 0, 0f);
  }

  /** Opens the first cuBLASLt soname that loads, or {@code path} when given. */
  public static CublasLt open(String path) {
    return new CublasLt(path != null ? NativeLibrary.open("cuda", path) : NativeLibrary.openFirst("cuda", SONAMES, "cuBLASLt"));
  }

  @Override public String library() { return lib.name(); }

  @Override public long workspaceBytes() { return WORKSPACE_BYTES; }

  static int dataType(DType t) {
    return switch (t) {
      case F32 -> CUDA_R_32F;
      case F16 -> CUDA_R_16F;
      case BF16 -> CUDA_R_16BF;
      default -> throw new IllegalArgumentException("cuBLASLt matmul of " + t);
    };
  }

  @Override
  public void matmul(LibraryMatmul call, long a, long b, long d, long workspace, long workspaceBytes, long stream) {
    Plan p = plans.get(call);
    if (p == null) {
      synchronized (this) {
        p = plans.get(call);
        if (p == null) {
          p = plan(call, workspaceBytes);
          plans.put(call, p);
        }
      }
    }
    try {
      // D is also C (beta = 0): cuBLASLt reads no C then, and in-place C == D with one layout is allowed.
      check("cublasLtMatmul", (int) matmul.invokeExact(ptr(handle), ptr(p.desc()), one, ptr(a), ptr(p.a()), ptr(b), ptr(p.b()),
          zero, ptr(d), ptr(p.d()), ptr(d), ptr(p.d()), p.algo(), ptr(workspace), Math.min(p.workspace(), workspaceBytes), ptr(stream)));
    } catch (Throwable t) {
      throw DriverApi.rethrow(t);
    }
  }

  private Plan plan(LibraryMatmul c, long workspaceBytes) {
    try (Arena tmp = Arena.ofConfined()) {
      if (handle == 0) {
        MemorySegment h = tmp.allocate(ADDRESS);
        check("cublasLtCreate", (int) create.invokeExact(h));
        handle = h.get(ADDRESS, 0).address();
      }
      int type = dataType(c.dtype());
      MemorySegment out = tmp.allocate(ADDRESS);
      check("cublasLtMatmulDescCreate", (int) descCreate.invokeExact(out, CUBLAS_COMPUTE_32F, CUDA_R_32F));
      long desc = out.get(ADDRESS, 0).address();
      setInt(descSet, "cublasLtMatmulDescSetAttribute(TRANSA)", desc, DESC_TRANSA, c.transA() ? 1 : 0, tmp);
      setInt(descSet, "cublasLtMatmulDescSetAttribute(TRANSB)", desc, DESC_TRANSB, c.transB() ? 1 : 0, tmp);
      setInt(descSet, "cublasLtMatmulDescSetAttribute(EPILOGUE)", desc, DESC_EPILOGUE, EPILOGUE_DEFAULT, tmp);
      // Layouts are of the matrices as stored: A is k x m when transposed, B n x k.
      long la = layout(type, c.transA() ? c.k() : c.m(), c.transA() ? c.m() : c.k(), c.lda(), c.batch(), c.strideA(), tmp);
      long lb = layout(type, c.transB() ? c.n() : c.k(), c.transB() ? c.k() : c.n(), c.ldb(), c.batch(), c.strideB(), tmp);
      long ld = layout(type, c.m(), c.n(), c.ldc(), c.batch(), c.strideC(), tmp);
      check("cublasLtMatmulPreferenceCreate", (int) prefCreate.invokeExact(out));
      long pref = out.get(ADDRESS, 0).address();
      try {
        MemorySegment ws = tmp.allocate(JAVA_LONG);
        ws.set(JAVA_LONG, 0, workspaceBytes);
        check("cublasLtMatmulPreferenceSetAttribute(MAX_WORKSPACE_BYTES)",
            (int) prefSet.invokeExact(ptr(pref), PREF_MAX_WORKSPACE_BYTES, ws, 8L));
        MemorySegment result = arena.allocate(HEURISTIC_BYTES, 8);
        MemorySegment count = tmp.allocate(JAVA_INT);
        check("cublasLtMatmulAlgoGetHeuristic", (int) heuristic.invokeExact(ptr(handle), ptr(desc), ptr(la), ptr(lb), ptr(ld), ptr(ld),
            ptr(pref), 1, result, count));
        if (count.get(JAVA_INT, 0) < 1 || result.get(JAVA_INT, HEURISTIC_STATE_OFFSET) != 0) {
          throw new DeviceException("cuda: cuBLASLt has no algorithm for matmul " + c.attrs(), 15);
        }
        return new Plan(desc, la, lb, ld, result.asSlice(0, 64), result.get(JAVA_LONG, HEURISTIC_WORKSPACE_OFFSET));
      } finally {
        check("cublasLtMatmulPreferenceDestroy", (int) prefDestroy.invokeExact(ptr(pref)));
      }
    } catch (Throwable t) {
      throw DriverApi.rethrow(t);
    }
  }

  private long layout(int type, long rows, long cols, long ld, long batch, long stride, Arena tmp) throws Throwable {
    MemorySegment out = tmp.allocate(ADDRESS);
    check("cublasLtMatrixLayoutCreate", (int) layoutCreate.invokeExact(out, type, rows, cols, ld));
    long l = out.get(ADDRESS, 0).address();
    setInt(layoutSet, "cublasLtMatrixLayoutSetAttribute(BATCH_COUNT)", l, LAYOUT_BATCH_COUNT, Math.toIntExact(batch), tmp);
    MemorySegment s = tmp.allocate(JAVA_LONG);
    s.set(JAVA_LONG, 0, stride);
    check("cublasLtMatrixLayoutSetAttribute(STRIDED_BATCH_OFFSET)", (int) layoutSet.invokeExact(ptr(l), LAYOUT_STRIDED_BATCH_OFFSET, s, 8L));
    return l;
  }

  private static void setInt(MethodHandle set, String call, long obj, int attr, int value, Arena tmp) throws Throwable {
    MemorySegment v = tmp.allocate(JAVA_INT);
    v.set(JAVA_INT, 0, value);
    check(call, (int) set.invokeExact(ptr(obj), attr, v, 4L));
  }

  private static MemorySegment ptr(long address) { return MemorySegment.ofAddress(address); }

  /** A non-zero cublasStatus_t as an exception naming the call and the status. */
  static void check(String call, int status) {
    if (status == 0) return;
    throw new DeviceException("cuda: " + call + " failed: " + statusName(status), status);
  }

  static String statusName(int s) {
    return switch (s) {
      case 1 -> "CUBLAS_STATUS_NOT_INITIALIZED";
      case 3 -> "CUBLAS_STATUS_ALLOC_FAILED";
      case 7 -> "CUBLAS_STATUS_INVALID_VALUE";
      case 8 -> "CUBLAS_STATUS_ARCH_MISMATCH";
      case 11 -> "CUBLAS_STATUS_MAPPING_ERROR";
      case 13 -> "CUBLAS_STATUS_EXECUTION_FAILED";
      case 14 -> "CUBLAS_STATUS_INTERNAL_ERROR";
      case 15 -> "CUBLAS_STATUS_NOT_SUPPORTED";
      case 16 -> "CUBLAS_STATUS_LICENSE_ERROR";
      default -> "cublasStatus " + s;
    };
  }

  /** Destroys every plan's descriptors and the handle; call with the device's context current. */
  @Override
  public synchronized void close() {
    try {
      for (Plan p : plans.values()) {
        check("cublasLtMatmulDescDestroy", (int) descDestroy.invokeExact(ptr(p.desc())));
        for (long l : new long[] {p.a(), p.b(), p.d()}) check("cublasLtMatrixLayoutDestroy", (int) layoutDestroy.invokeExact(ptr(l)));
      }
      plans.clear();
      if (handle != 0) check("cublasLtDestroy", (int) destroy.invokeExact(ptr(handle)));
      handle = 0;
    } catch (Throwable t) {
      throw DriverApi.rethrow(t);
    } finally {
      arena.close();
    }
  }
}
