package dev.weft.ir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Construction and mutation keep use-lists in step with operands and graph outputs. */
class IrMutationTest {
  private final Verifier verifier = new Verifier(TestOps.REGISTRY);

  @Test
  void builderRecordsUsesAndTypes() {
    Graph g = new Graph("main");
    Value x = g.addInput("x", TestOps.f32(2, 3));
    GraphBuilder b = TestOps.builder(g);
    Value r = b.op1("relu", x);
    Value s = b.op1("add", r, x);
    g.addOutput(s);
    assertEquals(List.of(new Use(r.producer(), null, 0), new Use(s.producer(), null, 1)), x.uses());
    assertEquals(List.of(new Use(null, g, 0)), s.uses());
    assertEquals(TestOps.f32(2, 3), s.type());
    assertSame(g, r.definingGraph());
    assertEquals("relu", r.name());
    assertEquals("add", s.name());
    verifier.verify(g);
  }

  @Test
  void setInputMovesTheUse() {
    Graph g = new Graph("main");
    Value x = g.addInput("x", TestOps.f32(4));
    Value y = g.addInput("y", TestOps.f32(4));
    Value n = TestOps.builder(g).op1("neg", x);
    n.producer().setInput(0, y);
    assertTrue(x.uses().isEmpty());
    assertEquals(List.of(new Use(n.producer(), null, 0)), y.uses());
    n.producer().setInput(0, null);
    assertFalse(y.hasUses());
    n.producer().setInput(0, x);
    g.addOutput(n);
    verifier.verify(g);
  }

  @Test
  void replaceAllUsesWithMovesOperandsAndOutputs() {
    Graph g = new Graph("main");
    Value x = g.addInput("x", TestOps.f32(4));
    GraphBuilder b = TestOps.builder(g);
    Value a = b.op1("abs", x);
    Value m = b.op1("mul", a, a);
    g.addOutput(a);
    Value e = b.insertBefore(m.producer()).op1("exp", x);
    a.replaceAllUsesWith(e);
    assertFalse(a.hasUses());
    assertEquals(3, e.uses().size());
    assertSame(e, m.producer().input(0));
    assertSame(e, m.producer().input(1));
    assertSame(e, g.outputs().get(0));
    g.remove(a.producer());
    assertEquals(1, x.uses().size());
    verifier.verify(g);
    assertThrows(NullPointerException.class, () -> e.replaceAllUsesWith(null));
    assertEquals(3, e.uses().size());   // nothing moved
  }

  @Test
  void graphKnowsWhetherANodeHoldsASubgraph() {
    Graph g = new Graph("main");
    Value x = g.addInput("x", TestOps.f32(4));
    Value r = TestOps.builder(g).op1("relu", x);
    assertFalse(g.hasSubgraphs());
    Node n = r.producer();
    n.setAttribute("body", Attribute.of(new Graph("b1")));
    assertTrue(g.hasSubgraphs());
    n.setAttribute("other", Attribute.of(new Graph("b2")));
    n.removeAttribute("body");
    assertTrue(g.hasSubgraphs());              // still holds b2
    n.setAttribute("other", Attribute.of(1L));  // a graph attribute replaced by an int
    assertFalse(g.hasSubgraphs());
    n.setAttribute("body", Attribute.of(new Graph("b3")));
    g.reorder(List.of(n));
    assertTrue(g.hasSubgraphs());
    g.remove(n);
    assertFalse(g.hasSubgraphs());
    // A node holding a graph before it is scheduled counts once scheduled.
    Node m = g.append(TestOps.REGISTRY.get("relu"), null);
    assertFalse(g.hasSubgraphs());
    m.setAttribute("body", Attribute.of(new Graph("b4")));
    assertTrue(g.hasSubgraphs());
  }

  @Test
  void removeDetachesOperandsAndRefusesLiveResults() {
    Graph g = new Graph("main");
    Value x = g.addInput("x", TestOps.f32(4));
    GraphBuilder b = TestOps.builder(g);
    Value t = b.op1("tanh", x);
    Value s = b.op1("sigmoid", t);
    g.addOutput(s);
    assertThrows(IllegalStateException.class, () -> g.remove(t.producer()));
    g.setOutput(0, x);
    assertFalse(s.hasUses());
    assertEquals(List.of(new Use(t.producer(), null, 0), new Use(null, g, 0)), x.uses());
    g.remove(s.producer());
    g.remove(t.producer());
    assertEquals(List.of(new Use(null, g, 0)), x.uses());
    assertNull(t.producer().graph());
    assertTrue(g.nodes().isEmpty());
    verifier.verify(g);
  }

  @Test
  void setOutputAndClearOutputs() {
    Graph g = new Graph("main");
    Value x = g.addInput("x", TestOps.f32(1));
    Value y = g.addInput("y", TestOps.f32(1));
    g.addOutput(x);
    g.addOutput(x);
    assertEquals(2, x.uses().size());
    g.setOutput(1, y);
    assertEquals(List.of(new Use(null, g, 0)), x.uses());
    assertEquals(List.of(new Use(null, g, 1)), y.uses());
    g.clearOutputs();
    assertFalse(x.hasUses());
    assertFalse(y.hasUses());
  }

  @Test
  void removingANodeDetachesItsSubgraphsReads() {
    Graph g = new Graph("main");
    Value x = g.addInput("x", TestOps.f32(3));
    Graph body = new Graph("body");
    Value inner = TestOps.builder(body).op1("neg", x);
    body.addOutput(x);
    body.addOutput(inner);
    List<Value> outs = TestOps.builder(g).op("test.block", List.of(), Map.of("body", Attribute.of(body)));
    g.addOutput(outs.get(1));
    assertEquals(2, x.uses().size());   // read inside the body, and as the body's output
    verifier.verify(g);
    g.clearOutputs();
    g.remove(outs.get(0).producer());
    assertFalse(x.hasUses());
    assertNull(body.parent());
  }

  @Test
  void replacingASubgraphAttributeDetachesTheOldOne() {
    Graph g = new Graph("main");
    Value x = g.addInput("x", TestOps.f32(3));
    Graph body = new Graph("body");
    body.addOutput(TestOps.builder(body).op1("neg", x));
    Value out = TestOps.builder(g).op1("test.block", Map.of("body", Attribute.of(body)));
    Graph body2 = new Graph("body2");
    body2.addOutput(TestOps.builder(body2).op1("abs", x));
    out.producer().setAttribute("body", Attribute.of(body2));
    g.addOutput(out);
    assertEquals(1, x.uses().size());
    assertSame(out.producer(), body2.parent());
    verifier.verify(g);
  }

  @Test
  void claimedNamesAreUnique() {
    Graph g = new Graph("main");
    Value x = g.addInput("x", TestOps.f32(1));
    Value x1 = g.addInput("x", TestOps.f32(1));
    assertEquals("x_1", x1.name());
    GraphBuilder b = TestOps.builder(g);
    assertEquals("neg_1", b.op1("neg", b.op1("neg", x)).name());
  }
}
