package dev.weft.codegen.llvm;

import static org.bytedeco.llvm.global.LLVM.*;

import dev.weft.codegen.target.Intrinsics;
import dev.weft.codegen.target.Target;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.llvm.LLVM.LLVMTypeRef;
import org.bytedeco.llvm.LLVM.LLVMValueRef;

/**
 * Kernels for the codegen tests, built with {@link KernelIr}. Each comes as bitcode with its
 * name; {@code target == null} means the host ABI, otherwise the GPU ABI of that target.
 */
public final class SampleKernels {
  private SampleKernels() {}

  /** c[p] = a[p] + b[p] over float32 (buffers a, b, c). */
  public static KernelModule add(String name, Target target) {
    try (KernelIr ir = new KernelIr(name)) {
      LLVMValueRef[] buf = start(ir, target, name, 3);
      ir.forEachWorkItem(p -> ir.store(ir.add(ir.load(ir.f32, buf[0], p), ir.load(ir.f32, buf[1], p)), buf[2], p));
      ir.finish();
      return new KernelModule(name, ir.bitcode());
    }
  }

  /** A kernel whose only work is {@code y[p] = llvm.<intrinsic>.f<bits>(x[p], x[p], x[p])} with as many operands as the intrinsic takes. */
  public static KernelModule mathIntrinsic(String name, Target target, String intrinsic, int bits) {
    try (KernelIr ir = new KernelIr(name)) {
      LLVMValueRef[] buf = start(ir, target, name, 2);
      LLVMTypeRef t = bits == 32 ? ir.f32 : ir.f64;
      ir.forEachWorkItem(p -> {
        LLVMValueRef x = ir.load(t, buf[0], p);
        LLVMValueRef[] args = new LLVMValueRef[arity(intrinsic)];
        java.util.Arrays.fill(args, x);
        ir.store(Intrinsics.call(ir.b, ir.module, "llvm." + intrinsic, new LLVMTypeRef[] {t}, args), buf[1], p);
      });
      ir.finish();
      return new KernelModule(name, ir.bitcode());
    }
  }

  public static int arity(String intrinsic) {
    return switch (intrinsic) {
      case "pow", "minimum", "maximum", "minnum", "maxnum", "copysign", "atan2" -> 2;
      case "fma", "fmuladd" -> 3;
      default -> 1;
    };
  }

  /**
   * {@code count} kernels shaped like one GPT-2-small forward pass (hidden 768, 12 heads,
   * sequence 128): layer norms, matmuls with bias, softmax rows, gelu, residual adds, cycling
   * through the layer's kernels with per-layer constants so no two modules are identical.
   */
  public static List<KernelModule> gpt2Like(int count, Target target) {
    List<KernelModule> out = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      int layer = i / 8;
      String name = "weft_g" + i;
      out.add(switch (i % 8) {
        case 0, 4 -> layerNorm(name, target, 768, 1e-5f + layer * 1e-7f);
        case 1 -> matmul(name, target, 768, 2304 + layer);
        case 2 -> softmax(name, target, 128 + layer);
        case 3 -> matmul(name, target, 768, 768 + layer);
        case 5 -> gelu(name, target, 0.044715f + layer * 1e-6f);
        case 6 -> matmul(name, target, 3072 + layer, 768);
        default -> add(name, target);
      });
    }
    return out;
  }

  /** Rows of width {@code k}: y = (x - mean) / sqrt(var + eps) * g + beta (buffers x, g, beta, y). */
  public static KernelModule layerNorm(String name, Target target, int k, float eps) {
    try (KernelIr ir = new KernelIr(name)) {
      LLVMValueRef[] buf = start(ir, target, name, 4);
      LLVMValueRef width = ir.cf(k);
      ir.forEachWorkItem(row -> {
        LLVMValueRef base = ir.imul(row, ir.c64(k));
        LLVMValueRef sum = ir.loop(ir.c64(0), ir.c64(k), ir.c64(1), ir.cf(0),
            (j, acc) -> ir.add(acc, ir.load(ir.f32, buf[0], ir.iadd(base, j))));
        LLVMValueRef mean = ir.div(sum, width);
        LLVMValueRef sq = ir.loop(ir.c64(0), ir.c64(k), ir.c64(1), ir.cf(0), (j, acc) -> {
          LLVMValueRef d = ir.sub(ir.load(ir.f32, buf[0], ir.iadd(base, j)), mean);
          return ir.add(acc, ir.mul(d, d));
        });
        LLVMValueRef var = ir.div(sq, width);
        LLVMValueRef inv = ir.div(ir.cf(1), Intrinsics.call(ir.b, ir.module, "llvm.sqrt", new LLVMTypeRef[] {ir.f32},
            ir.add(var, ir.cf(eps))));
        ir.loop(ir.c64(0), ir.c64(k), ir.c64(1), null, (j, acc) -> {
          LLVMValueRef at = ir.iadd(base, j);
          LLVMValueRef y = ir.mul(ir.sub(ir.load(ir.f32, buf[0], at), mean), inv);
          ir.store(ir.add(ir.mul(y, ir.load(ir.f32, buf[1], j)), ir.load(ir.f32, buf[2], j)), buf[3], at);
          return null;
        });
      });
      ir.finish();
      return new KernelModule(name, ir.bitcode());
    }
  }

  /** c[i*n+j] = sum_k a[i*k+k'] * b[k'*n+j] + bias[j]; one work item per output (buffers a, b, bias, c). */
  public static KernelModule matmul(String name, Target target, int k, int n) {
    try (KernelIr ir = new KernelIr(name)) {
      LLVMValueRef[] buf = start(ir, target, name, 4);
      ir.forEachWorkItem(p -> {
        LLVMValueRef i = LLVMBuildSDiv(ir.b, p, ir.c64(n), "i");
        LLVMValueRef j = LLVMBuildSRem(ir.b, p, ir.c64(n), "j");
        LLVMValueRef rowBase = ir.imul(i, ir.c64(k));
        LLVMValueRef acc = ir.loop(ir.c64(0), ir.c64(k), ir.c64(1), ir.cf(0), (kk, sum) -> ir.add(sum,
            ir.mul(ir.load(ir.f32, buf[0], ir.iadd(rowBase, kk)), ir.load(ir.f32, buf[1], ir.iadd(ir.imul(kk, ir.c64(n)), j)))));
        ir.store(ir.add(acc, ir.load(ir.f32, buf[2], j)), buf[3], p);
      });
      ir.finish();
      return new KernelModule(name, ir.bitcode());
    }
  }

  /** Rows of width {@code k}: y = e / sum(e) with e = q(x - max) for a quadratic q (buffers x, y). */
  public static KernelModule softmax(String name, Target target, int k) {
    try (KernelIr ir = new KernelIr(name)) {
      LLVMValueRef[] buf = start(ir, target, name, 2);
      ir.forEachWorkItem(row -> {
        LLVMValueRef base = ir.imul(row, ir.c64(k));
        LLVMValueRef max = ir.loop(ir.c64(0), ir.c64(k), ir.c64(1), ir.cf(Float.NEGATIVE_INFINITY),
            (j, m) -> Intrinsics.call(ir.b, ir.module, "llvm.maximum", new LLVMTypeRef[] {ir.f32}, m,
                ir.load(ir.f32, buf[0], ir.iadd(base, j))));
        LLVMValueRef sum = ir.loop(ir.c64(0), ir.c64(k), ir.c64(1), ir.cf(0), (j, s) -> {
          LLVMValueRef t = ir.sub(ir.load(ir.f32, buf[0], ir.iadd(base, j)), max);
          LLVMValueRef e = ir.add(ir.cf(1), ir.add(t, ir.mul(ir.mul(t, t), ir.cf(0.5))));
          ir.store(e, buf[1], ir.iadd(base, j));
          return ir.add(s, e);
        });
        LLVMValueRef inv = ir.div(ir.cf(1), sum);
        ir.loop(ir.c64(0), ir.c64(k), ir.c64(1), null, (j, unused) -> {
          LLVMValueRef at = ir.iadd(base, j);
          ir.store(ir.mul(ir.load(ir.f32, buf[1], at), inv), buf[1], at);
          return null;
        });
      });
      ir.finish();
      return new KernelModule(name, ir.bitcode());
    }
  }

  /** y = x * (0.5 + c*x^2) (a polynomial stand-in for gelu; buffers x, y). */
  public static KernelModule gelu(String name, Target target, float c) {
    try (KernelIr ir = new KernelIr(name)) {
      LLVMValueRef[] buf = start(ir, target, name, 2);
      ir.forEachWorkItem(p -> {
        LLVMValueRef x = ir.load(ir.f32, buf[0], p);
        ir.store(ir.mul(x, ir.add(ir.cf(0.5), ir.mul(ir.cf(c), ir.mul(x, x)))), buf[1], p);
      });
      ir.finish();
      return new KernelModule(name, ir.bitcode());
    }
  }

  private static LLVMValueRef[] start(KernelIr ir, Target target, String name, int buffers) {
    return target == null ? ir.hostKernel(name, buffers) : ir.gpuKernel(target, name, buffers, target.defaultBlockSize());
  }
}
