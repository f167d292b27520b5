package dev.weft.passes.fusion;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.bundle.Tensor;
import dev.weft.ir.Graph;
import dev.weft.ir.Module;
import dev.weft.ir.Node;
import dev.weft.ir.Value;
import dev.weft.ir.interp.Interpreter;
import dev.weft.ir.text.WirParser;
import dev.weft.ir.text.WirPrinter;
import dev.weft.passes.PassContext;
import dev.weft.passes.PassManager;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@code fuse} inside {@code if} branches and {@code loop} bodies: each branch's elementwise
 * chain becomes one {@code fused} node in the branch, whose operands are the values the chain
 * captured from the enclosing graph (its body stays closed). The pass manager verifies the
 * module after the pass; the interpreter computes the same results before and after.
 */
class FuseInSubgraphsTest {
  /** Then: one chain of 3 elementwise ops; else: one chain of 2. So at most one kernel per branch. */
  static final String IF = """
      graph @g(%x: f32[4,8], %y: f32[4,8], %c: bool[]) -> (%r) {
        %r = if(%c) {
          then_branch = graph @t() -> (%t3) {
            %t1 = add(%x, %y)
            %t2 = mul(%t1, %x)
            %t3 = relu(%t2)
          },
          else_branch = graph @e() -> (%e2) {
            %e1 = sub(%x, %y)
            %e2 = exp(%e1)
          }
        }
      }
      """;

  /** The body's chain (add of the carried value and a captured one, then tanh) is one group. */
  static final String LOOP = """
      graph @g(%n: i64[], %go: bool[], %x: f32[4,8], %a0: f32[4,8]) -> (%a) {
        %a = loop(%n, %go, %a0) {
          body = graph @b(%i: i64[], %cond: bool[], %acc: f32[4,8]) -> (%cond, %h) {
            %s = add(%acc, %x)
            %h = tanh(%s)
          }
        }
      }
      """;

  @Test
  void eachBranchChainIsOneFusedNodeReadingCapturedValues() {
    Module before = new WirParser().parse(IF);
    Module after = new WirParser().parse(IF);
    PassManager.parse("fuse").run(after, new PassContext());
    Node ifNode = after.main().nodes().get(0);
    Value x = after.main().inputs().get(0);
    Value y = after.main().inputs().get(1);
    for (String branch : List.of("then_branch", "else_branch")) {
      Graph g = ifNode.attrs().getGraph(branch);
      assertEquals(1, g.nodes().size(), branch + " is one chain, so one kernel:\n" + WirPrinter.toText(after));
      Node fused = g.nodes().get(0);
      assertEquals("fused", fused.opName());
      assertEquals(List.of(x, y), fused.inputs(), "captured outer values are the fused node's operands");
      assertSame(fused.output(0), g.outputs().get(0), "the branch returns the fused result");
    }
    String text = WirPrinter.toText(after);
    assertEquals(text, WirPrinter.toText(new WirParser().parse(text)), "print(parse(print(m))) == print(m)");

    Random r = new Random(3);
    Tensor xs = rand(r, 4, 8);
    Tensor ys = rand(r, 4, 8);
    for (boolean c : new boolean[] {true, false}) {
      List<Object> args = List.of(xs, ys, Tensor.ofBools(new long[0], c));
      assertClose(run(before, args), run(after, args), "cond " + c);
    }
  }

  @Test
  void loopBodyChainIsFusedAndComputesTheSame() {
    Module before = new WirParser().parse(LOOP);
    Module after = new WirParser().parse(LOOP);
    PassContext ctx = new PassContext();
    PassManager.parse("fuse").run(after, ctx);
    Graph body = after.main().nodes().get(0).attrs().getGraph("body");
    assertEquals(1, body.nodes().size(), WirPrinter.toText(after));
    Node fused = body.nodes().get(0);
    assertEquals("fused", fused.opName());
    assertEquals(List.of(body.inputs().get(2), after.main().inputs().get(2)), fused.inputs(), "the carried value and the captured %x");
    assertEquals(1, ctx.result(Fuse.NAME, FusionReport.class).entries().size());

    Random r = new Random(5);
    List<Object> args = List.of(Tensor.ofLongs(new long[0], 3), Tensor.ofBools(new long[0], true), rand(r, 4, 8), rand(r, 4, 8));
    assertClose(run(before, args), run(after, args), "3 iterations");
  }

  @Test
  void groupIdsAreUniqueAcrossGraphs() {
    Module m = new WirParser().parse(IF);
    PassContext ctx = new PassContext();
    PassManager.parse("fuse").run(m, ctx);
    List<String> ids = ctx.result(Fuse.NAME, FusionReport.class).entries().stream().map(FusionReport.Entry::id).toList();
    assertEquals(List.of("fusion.0", "fusion.1"), ids);
  }

  @Test
  void fusedBodiesAreNotFusedAgain() {
    Module m = new WirParser().parse(IF);
    PassManager.parse("fuse").run(m, new PassContext());
    String once = WirPrinter.toText(m);
    PassManager.parse("fuse").run(m, new PassContext());
    assertEquals(once, WirPrinter.toText(m));
    for (Graph g : Fuse.targets(m.main())) assertTrue(g.parent() == null || g.parent().opName().equals("if"), g.name());
  }

  private static Tensor run(Module m, List<Object> args) { return (Tensor) new Interpreter().run(m.main(), args).get(0); }

  private static void assertClose(Tensor want, Tensor got, String what) {
    assertEquals(want.size(), got.size());
    for (long i = 0; i < want.size(); i++) assertEquals(want.getDouble(i), got.getDouble(i), 1e-6, what + " element " + i);
  }

  private static Tensor rand(Random r, long... shape) {
    float[] d = new float[(int) (shape[0] * shape[1])];
    for (int i = 0; i < d.length; i++) d[i] = (float) r.nextGaussian();
    return Tensor.ofFloats(shape, d);
  }
}
