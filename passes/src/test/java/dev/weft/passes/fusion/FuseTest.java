package dev.weft.passes.fusion;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.bundle.Tensor;
import dev.weft.ir.Module;
import dev.weft.ir.Node;
import dev.weft.ir.interp.Interpreter;
import dev.weft.ir.text.WirParser;
import dev.weft.ir.text.WirPrinter;
import dev.weft.passes.PassContext;
import dev.weft.passes.PassManager;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The fused op in the text form and the interpreter, the report, and the kernel count rule. */
class FuseTest {
  static final String ATTENTION = """
      graph @attention(%q: f32[2,8,4], %k: f32[2,8,4], %v: f32[2,8,4], %mask: f32[2,8,8]) -> (%o) {
        %scale = constant() {value = dense<f32[]> [0.5]}
        %kt = transpose(%k) {perm = [0, 2, 1]}
        %sc = matmul(%q, %kt)
        %ss = mul(%sc, %scale)
        %sm = add(%ss, %mask)
        %p = softmax(%sm) {axis = -1}
        %pv = matmul(%p, %v)
        %o = transpose(%pv) {perm = [1, 0, 2]}
        %big = constant() {value = dense<f32[1,2,4]> [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0]}
      }
      """;

  static final String BLOCK = """
      graph @block(%x: f32[4,8], %w: f32[8,8], %g: f32[8]) -> (%y) {
        %m = matmul(%x, %w) loc("block.onnx" "fc/MatMul")
        %r = add(%m, %x) loc("block.onnx" "fc/Add")
        %n, %mu, %is = layer_norm(%r, %g) {axis = -1}
        %y = trilu(%n)
      }
      """;

  @Test
  void fusedModuleRoundTripsAndComputesTheSame() {
    Module before = new WirParser().parse(ATTENTION);
    Module after = new WirParser().parse(ATTENTION);
    PassContext ctx = new PassContext();
    PassManager.parse("fuse,dce").run(after, ctx);
    assertEquals(1, after.main().nodes().size(), WirPrinter.toText(after));
    Node fused = after.main().nodes().get(0);
    assertEquals("fused", fused.opName());
    assertEquals("attention", fused.attrs().getString("kind"));

    String text = WirPrinter.toText(after);
    assertEquals(text, WirPrinter.toText(new WirParser().parse(text)), "print(parse(print(m))) == print(m)");

    Random r = new Random(7);
    List<Object> args = List.of(rand(r, 2, 8, 4), rand(r, 2, 8, 4), rand(r, 2, 8, 4), rand(r, 2, 8, 8));
    Tensor want = (Tensor) new Interpreter().run(before.main(), args).get(0);
    Tensor got = (Tensor) new Interpreter().run(after.main(), args).get(0);
    for (long i = 0; i < want.size(); i++) assertEquals(want.getDouble(i), got.getDouble(i), 1e-6, "element " + i);
  }

  @Test
  void reportNamesGroupsMembersAndRefusals() {
    Module m = new WirParser().parse(BLOCK, "block.wir");
    PassContext ctx = new PassContext();
    PassManager.parse("fuse").run(m, ctx);
    FusionReport report = ctx.result(Fuse.NAME, FusionReport.class);
    assertNotNull(report);
    assertEquals(1, report.entries().size());
    FusionReport.Entry e = report.entries().get(0);
    assertEquals("fusion.0", e.id());
    assertEquals("matmul_epilogue", e.kind());
    assertEquals(List.of("matmul at block.onnx node 'fc/MatMul'", "add at block.onnx node 'fc/Add'"), e.members());
    // %m (4x8 f32 = 128 bytes) no longer written nor read back.
    assertEquals(256, e.bytesSaved());
    String text = report.text();
    assertTrue(text.contains("consumer layer_norm") && text.contains("need different schedules"), text);
    assertTrue(text.contains("opaque to fusion"), text);
    KernelCount k = KernelCount.of(m.main());
    assertEquals(3, k.kernels(), k.toString());   // fused + layer_norm + trilu
    assertEquals(1, k.fused());
  }

  @Test
  void aReaderBetweenMembersMovesAfterTheFusedNode() {
    // exp and relu fuse; the matmul between them reads exp's result and does not join (an
    // elementwise producer is not folded into a matmul), so it must move after the fused node.
    String text = """
        graph @between(%x: f32[4,4], %w: f32[4,4]) -> (%y, %z) {
          %a = exp(%x)
          %b = matmul(%a, %w)
          %c = relu(%a)
          %y = neg(%b)
          %z = add(%c, %x)
        }
        """;
    Module before = new WirParser().parse(text);
    Module m = new WirParser().parse(text);
    Module mm = new WirParser().parse(text);
    var groups = new Planner(mm.main(), new Sizes(Fuse.DEFAULT_SYMBOL_SIZE), Fuse.DEFAULT_DUP_MAX_BYTES, Fuse.DEFAULT_MAX_GROUP_SIZE);
    List<Group> planned = groups.plan();
    assertFalse(Fuse.placementsInOrder(groups, planned, groups.assignment()), "this case needs the reorder");
    PassManager.parse("fuse").run(m, new PassContext());   // the verifier after the pass checks the order
    // The matmul (now fused with its neg epilogue) was scheduled before relu: it comes after exp+relu now.
    List<String> kinds = m.main().nodes().stream().map(n -> n.opName().equals("fused") ? n.attrs().getString("kind") : n.opName()).toList();
    assertEquals(List.of("elementwise", "matmul_epilogue"), kinds);
    Random r = new Random(3);
    List<Object> args = List.of(rand(r, 4, 4), rand(r, 4, 4));
    List<Object> want = new Interpreter().run(before.main(), args);
    List<Object> got = new Interpreter().run(m.main(), args);
    for (int k = 0; k < 2; k++) {
      Tensor w = (Tensor) want.get(k);
      Tensor g = (Tensor) got.get(k);
      for (long i = 0; i < w.size(); i++) assertEquals(w.getDouble(i), g.getDouble(i), 1e-6, "output " + k + " element " + i);
    }
  }

  @Test
  void groupsPlacedInScheduleOrderNeedNoReorder() {
    Module m = new WirParser().parse(BLOCK, "block.wir");
    var planner = new Planner(m.main(), new Sizes(Fuse.DEFAULT_SYMBOL_SIZE), Fuse.DEFAULT_DUP_MAX_BYTES, Fuse.DEFAULT_MAX_GROUP_SIZE);
    List<Group> planned = planner.plan();
    assertTrue(Fuse.placementsInOrder(planner, planned, planner.assignment()));
  }

  private static Tensor rand(Random r, long... shape) {
    int n = 1;
    for (long d : shape) n *= (int) d;
    float[] v = new float[n];
    for (int i = 0; i < n; i++) v[i] = (float) r.nextGaussian();
    return Tensor.ofFloats(shape, v);
  }
}
