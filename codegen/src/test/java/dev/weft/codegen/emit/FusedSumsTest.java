package dev.weft.codegen.emit;

import static org.bytedeco.llvm.global.LLVM.*;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.weft.bundle.DType;
import dev.weft.codegen.kir.Kernel;
import dev.weft.codegen.lower.GroupLowerer;
import dev.weft.codegen.lower.LoweringCheck;
import dev.weft.ir.Graph;
import dev.weft.ir.GraphBuilder;
import dev.weft.ir.Shape;
import dev.weft.ir.TensorType;
import dev.weft.ir.Value;
import java.util.Map;
import org.bytedeco.llvm.LLVM.LLVMContextRef;
import org.bytedeco.llvm.LLVM.LLVMModuleRef;
import org.junit.jupiter.api.Test;

/** The emitter runs a tiled matmul work item's dot products (independent sums of one extent) as one loop. */
class FusedSumsTest {
  static String emitted(Kernel k) {
    LLVMContextRef ctx = LLVMContextCreate();
    try {
      LLVMModuleRef m = LLVMModuleCreateWithNameInContext(k.name(), ctx);
      KernelEmitter.emit(k, HostJit.host(false), ctx, m);
      return LLVMPrintModuleToString(m).getString();
    } finally {
      LLVMContextDispose(ctx);
    }
  }

  static int count(String text, String what) {
    int n = 0;
    for (int i = text.indexOf(what); i >= 0; i = text.indexOf(what, i + 1)) n++;
    return n;
  }

  @Test
  void aTilesDotProductsShareOneLoop() {
    Graph g = new Graph("mm");
    GraphBuilder b = new GraphBuilder(g);
    Value x = g.addInput("x", new TensorType(DType.F32, Shape.of(3, 16)));
    g.addOutput(b.op1("matmul", Map.of(), x, b.constant(LoweringCheck.random(DType.F32, 1, 2, 16, 11))));
    Kernel tiled = GroupLowerer.lower("k", g, null, "mm", true, true, 8).kernels().get(0);
    String ir = emitted(tiled);
    // one fused loop holding the 8 accumulators, no loop of a single reduction
    assertEquals(1, count(ir, "\nsums."), ir);
    assertEquals(0, count(ir, "\nred."), ir);
    assertEquals(8, count(ir, "= phi float"), ir);
    Kernel plain = GroupLowerer.lower("k", g, null, "mm", true, true, 1).kernels().get(0);
    String one = emitted(plain);
    assertEquals(0, count(one, "\nsums."));
    assertEquals(1, count(one, "\nred."));
  }
}
