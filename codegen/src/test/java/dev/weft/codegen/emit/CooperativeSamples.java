package dev.weft.codegen.emit;

import static org.bytedeco.llvm.global.LLVM.*;

import dev.weft.bundle.Tensor;
import dev.weft.codegen.kir.Kernel;
import dev.weft.codegen.llvm.KernelModule;
import dev.weft.codegen.llvm.LlvmContexts;
import dev.weft.codegen.llvm.LlvmNative;
import dev.weft.codegen.llvm.LlvmToolchain;
import dev.weft.codegen.lower.GroupLowerer;
import dev.weft.codegen.target.Target;
import dev.weft.ir.Attribute;
import dev.weft.ir.Graph;
import dev.weft.ir.GraphBuilder;
import dev.weft.ir.Shape;
import dev.weft.ir.TensorType;
import dev.weft.ir.Value;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.llvm.LLVM.LLVMContextRef;
import org.bytedeco.llvm.LLVM.LLVMModuleRef;

/**
 * Test-only: kernels lowered from one-op graphs (as the compiler lowers them) for the GPU
 * backends' cooperative-kernel tests, and their emitted, verified modules.
 */
public final class CooperativeSamples {
  private CooperativeSamples() {}

  /** The kernels of op(inputs of these shapes, f32), renamed {@code name}, {@code name_1}, ... */
  public static List<Kernel> lowered(String name, String op, Map<String, Attribute> attrs, long[]... shapes) {
    return lowered(dev.weft.bundle.DType.F32, name, op, attrs, shapes);
  }

  /** As {@link #lowered(String, String, Map, long[][])} with inputs of {@code dtype}. */
  public static List<Kernel> lowered(dev.weft.bundle.DType dtype, String name, String op, Map<String, Attribute> attrs, long[]... shapes) {
    Graph g = new Graph(name);
    GraphBuilder b = new GraphBuilder(g);
    List<Value> operands = new ArrayList<>();
    for (int i = 0; i < shapes.length; i++) operands.add(g.addInput("x" + i, new TensorType(dtype, Shape.of(shapes[i]))));
    for (Value v : b.op(op, operands, attrs)) g.addOutput(v);
    List<Kernel> out = new ArrayList<>();
    for (Kernel k : GroupLowerer.lower("k", g, (java.util.function.Function<Value, Tensor>) null, name).kernels()) {
      String n = out.isEmpty() ? name : name + "_" + out.size();
      out.add(new Kernel(n, k.params(), k.loops(), k.parallelLoops(), k.stores(), k.source()));
    }
    return out;
  }

  /**
   * Kernel name -> kernel: rows of 128 and 768 (a warp per row), 8192 (a block per row), a
   * reduce_mean and a matmul with K = 256 (a warp per output), f64 and i64 row sums and an i32
   * row max (64-bit shuffles as two 32-bit ones), and a softmax over 16-term rows
   * (under the threshold: one thread per row, the old code).
   */
  public static Map<String, Kernel> gpuSet() {
    Map<String, Kernel> m = new LinkedHashMap<>();
    Map<String, Attribute> last = Map.of("axis", Attribute.of(-1L));
    Map<String, Attribute> rows = Map.of("axes", Attribute.of(new long[] {1}), "keepdims", Attribute.of(0L));
    for (List<Kernel> ks : List.of(
        lowered("weft_softmax", "softmax", last, new long[] {4, 128}),
        lowered("weft_ln", "layer_norm", Map.of("axis", Attribute.of(-1L), "epsilon", Attribute.of(1e-5)),
            new long[] {4, 768}, new long[] {768}, new long[] {768}),
        lowered("weft_softmax_long", "softmax", last, new long[] {2, 8192}),
        lowered("weft_mean", "reduce_mean", Map.of("axes", Attribute.of(new long[] {1}), "keepdims", Attribute.of(0L)), new long[] {4, 1000}),
        lowered("weft_mm", "matmul", Map.of(), new long[] {8, 256}, new long[] {256, 16}),
        lowered(dev.weft.bundle.DType.F64, "weft_sum_f64", "reduce_sum", rows, new long[] {4, 100}),
        lowered(dev.weft.bundle.DType.I64, "weft_sum_i64", "reduce_sum", rows, new long[] {4, 100}),
        lowered(dev.weft.bundle.DType.I32, "weft_max_i32", "reduce_max", rows, new long[] {4, 100}),
        lowered("weft_softmax_short", "softmax", last, new long[] {4, 16}))) {
      for (Kernel k : ks) m.put(k.name(), k);
    }
    return m;
  }

  /** {@code k} emitted for {@code target}, verified, as the backend toolchains take it. */
  public static KernelModule module(Kernel k, Target target) {
    return new KernelModule(k.name(), emitted(k, target, true));
  }

  /** The unoptimized LLVM IR text of {@code k} for {@code target}. */
  public static String ir(Kernel k, Target target) {
    return new String(emitted(k, target, false), java.nio.charset.StandardCharsets.UTF_8);
  }

  private static byte[] emitted(Kernel k, Target target, boolean bitcode) {
    LlvmNative.ensureLoaded();
    LLVMContextRef ctx = LlvmContexts.create();
    try {
      LLVMModuleRef m = LLVMModuleCreateWithNameInContext(k.name(), ctx);
      try {
        LlvmToolchain.configure(m, target.spec());
        KernelEmitter.emit(k, target, ctx, m);
        LlvmToolchain.verify(m);
        if (bitcode) return LlvmToolchain.toBitcode(m);
        org.bytedeco.javacpp.BytePointer text = LLVMPrintModuleToString(m);
        try {
          return text.getString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        } finally {
          LLVMDisposeMessage(text);
        }
      } finally {
        LLVMDisposeModule(m);
      }
    } finally {
      LlvmContexts.dispose(ctx);
    }
  }
}
