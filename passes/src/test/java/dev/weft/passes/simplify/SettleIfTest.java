package dev.weft.passes.simplify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.bundle.DType;
import dev.weft.ir.Module;
import dev.weft.ir.Node;
import dev.weft.ir.Shape;
import dev.weft.ir.TensorType;
import dev.weft.ir.Value;
import dev.weft.ir.text.WirParser;
import dev.weft.passes.PassContext;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * {@link SettleIf}: an if whose result types inference left unranked takes the static branch's
 * types when exactly one branch is static, and is left alone when both or neither are. The
 * untyped side is made by resetting types after parsing (what inference produces for
 * silero-vad's 8 kHz branch at the 16 kHz shapes), so each case is exactly the one named.
 */
class SettleIfTest {
  private static final String IF = """
      graph @g(%x: f32[2,3], %c: bool[]) -> (%y) {
        %y = if(%c) {
          then_branch = graph @t() -> (%a) {
            %a = relu(%x)
          },
          else_branch = graph @e() -> (%b) {
            %b = neg(%x)
          }
        }
      }
      """;

  private static final TensorType STATIC = TensorType.of(DType.F32, 2, 3);
  private static final TensorType UNRANKED = new TensorType(DType.F32, Shape.unranked());

  private static Node ifNode(Module m) { return m.main().nodes().get(0); }

  /** The module with the if's result unranked and each branch's output static or not as asked. */
  private static Module withTypes(boolean thenStatic, boolean elseStatic) {
    Module m = new WirParser().parse(IF);
    Node n = ifNode(m);
    n.attrs().getGraph("then_branch").outputs().get(0).setType(thenStatic ? STATIC : UNRANKED);
    n.attrs().getGraph("else_branch").outputs().get(0).setType(elseStatic ? STATIC : UNRANKED);
    n.output(0).setType(UNRANKED);
    return m;
  }

  private static Set<Value> changedSet() { return Collections.newSetFromMap(new IdentityHashMap<>()); }

  @Test
  void oneUntypedBranchTakesTheTypedBranchsTypes() {
    for (boolean thenTyped : new boolean[] {true, false}) {
      Module m = withTypes(thenTyped, !thenTyped);
      Set<Value> changed = changedSet();
      assertEquals(1, SettleIf.run(m.main(), new PassContext(), changed), "then typed: " + thenTyped);
      assertEquals(STATIC, ifNode(m).output(0).type());
      assertTrue(changed.contains(ifNode(m).output(0)), "the settled result is reported changed so its users are re-inferred");
    }
  }

  @Test
  void bothBranchesTypedIsLeftAlone() {
    Module m = withTypes(true, true);
    Set<Value> changed = changedSet();
    assertEquals(0, SettleIf.run(m.main(), new PassContext(), changed));
    assertEquals(UNRANKED, ifNode(m).output(0).type());
    assertTrue(changed.isEmpty());
  }

  @Test
  void neitherBranchTypedIsLeftAlone() {
    Module m = withTypes(false, false);
    Set<Value> changed = changedSet();
    assertEquals(0, SettleIf.run(m.main(), new PassContext(), changed));
    assertEquals(UNRANKED, ifNode(m).output(0).type());
    assertTrue(changed.isEmpty());
  }

  @Test
  void aTypedBranchOfAnotherDtypeIsNotTaken() {
    Module m = withTypes(true, false);
    ifNode(m).attrs().getGraph("then_branch").outputs().get(0).setType(TensorType.of(DType.F16, 2, 3));
    assertEquals(0, SettleIf.run(m.main(), new PassContext(), changedSet()));
    assertEquals(UNRANKED, ifNode(m).output(0).type());
  }
}
