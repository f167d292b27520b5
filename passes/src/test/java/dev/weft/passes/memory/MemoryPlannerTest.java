package dev.weft.passes.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.bundle.WeftException;
import dev.weft.ir.Graph;
import dev.weft.ir.text.WirParser;
import dev.weft.passes.memory.MemoryPlan.Buffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Liveness, views, in-place updates and packing on graphs small enough to plan by hand. */
class MemoryPlannerTest {
  static Graph parse(String text) { return new WirParser().parse(text, "t.wir").main(); }

  static MemoryPlan planValid(Graph g, Map<String, Long> bind) {
    MemoryPlan p = MemoryPlanner.plan(g, bind);
    assertEquals(List.of(), PlanChecker.check(g, p));
    return p;
  }

  /** x(256 B) -> a = matmul -> b = relu(a) in place -> c = exp(b) in place: one buffer besides x. */
  @Test
  void elementwiseChainRunsInPlace() {
    Graph g = parse("""
        graph @g(%x: f32[8,8]) -> (%c) {
          %w = constant() {value = dense<f32[8,8]> [ZEROS]}
          %a = matmul(%x, %w)
          %b = relu(%a)
          %c = exp(%b)
        }
        """.replace("ZEROS", String.join(", ", java.util.Collections.nCopies(64, "0.0"))));
    MemoryPlan p = planValid(g, Map.of());
    assertEquals(4, p.steps());        // the constant is a step too (it produces nothing in the arena)
    Buffer x = p.buffer("x"), a = p.buffer("a"), b = p.buffer("b"), c = p.buffer("c");
    assertEquals(256, x.size());
    assertEquals(0, x.firstUse());
    assertEquals(1, x.lastUse());      // read by matmul at step 1
    assertEquals(4, c.lastUse());      // a graph output: live past the last step
    assertEquals("a", b.sharesWith());
    assertEquals("in-place", b.how());
    assertEquals("b", c.sharesWith());
    assertEquals(a.offset(), c.offset());
    assertEquals(512, p.peakBytes());  // x and a live together at step 1
    assertEquals(4 * 256, p.naiveBytes());
    assertEquals(256, p.weightsBytes());
    assertNull(p.buffer("w"));
    assertEquals(MemoryPlan.Kind.OUTPUT, c.kind());
  }

  /** An operand read again later must not be overwritten; a broadcast result is larger, so no in place either. */
  @Test
  void noInPlaceWhenOperandLivesOnOrSizesDiffer() {
    Graph g = parse("""
        graph @g(%x: f32[4,16], %r: f32[16]) -> (%d) {
          %a = exp(%x)
          %b = neg(%a)
          %c = add(%a, %b)
          %e = add(%r, %r)
          %f = add(%c, %e)
          %d = sub(%f, %x)
        }
        """);
    MemoryPlan p = planValid(g, Map.of());
    assertNull(p.buffer("b").sharesWith(), "a is read again by c");
    assertEquals("in-place", p.buffer("c").how());
    assertEquals("a", p.buffer("c").sharesWith());
    assertEquals("r", p.buffer("e").sharesWith());   // r dies at e, same size
    assertEquals("c", p.buffer("f").sharesWith());   // e is 64 B, f 256 B: only c qualifies
    assertEquals("f", p.buffer("d").sharesWith());
  }

  @Test
  void viewsShareTheirOperandsMemory() {
    Graph g = parse("""
        graph @g(%x: f32[16]) -> (%z) {
          %shape = constant() {value = dense<i64[2]> [2, 8]}
          %a = exp(%x)
          %v = reshape(%a, %shape)
          %u = unsqueeze(%v) {axes = [0]}
          %z = add(%u, %u)
        }
        """);
    MemoryPlan p = planValid(g, Map.of());
    assertEquals("view", p.buffer("v").how());
    assertEquals("view", p.buffer("u").how());
    assertEquals(p.buffer("a").offset(), p.buffer("u").offset());
    assertEquals(2, p.viewCount());
    assertEquals("u", p.buffer("z").sharesWith());   // the group dies at z: z overwrites it
    assertEquals(64, p.peakBytes());
  }

  /** Greedy by size: two 1 KiB buffers that never coexist share an offset; a 64 B one fits beside. */
  @Test
  void disjointLifetimesReuseMemory() {
    Graph g = parse("""
        graph @g(%x: f32[16]) -> (%y) {
          %t = constant() {value = dense<i64[2]> [16, 16]}
          %a = broadcast(%x, %t)
          %s = reduce_sum(%a) {axes = [1], keepdims = 0}
          %b = broadcast(%s, %t)
          %y = reduce_sum(%b) {axes = [1], keepdims = 0}
        }
        """);
    MemoryPlan p = new MemoryPlanner(false, false).run(g, Map.of());
    assertEquals(List.of(), PlanChecker.check(g, p));
    assertEquals(p.buffer("a").offset(), p.buffer("b").offset());
    assertEquals(1024 + 64, p.peakBytes());   // step 1: x and a; step 3: s and b
    assertEquals(p.lowerBound(), p.peakBytes());
  }

  @Test
  void symbolicDimsAreBound() {
    Graph g = parse("""
        graph @g(%x: f32[batch,seq,4]) -> (%y) {
          %a = exp(%x)
          %y = reduce_sum(%a) {axes = [2], keepdims = 0}
        }
        """);
    MemoryPlan p = planValid(g, Map.of("batch", 2L, "seq", 8L));
    assertEquals(2 * 8 * 4 * 4, p.buffer("a").size());
    assertEquals(64, p.buffer("y").size());
    WeftException e = assertThrows(WeftException.class, () -> MemoryPlanner.plan(g, Map.of("batch", 2L)));
    assertTrue(e.getMessage().contains("seq"), e.getMessage());
    assertTrue(p.toJson().contains("\"shares_with\": \"x\""), p.toJson());
  }

  /** The checker is the oracle for every other test: it must catch broken plans. */
  @Test
  void checkerRejectsBrokenPlans() {
    Graph g = parse("""
        graph @g(%x: f32[16]) -> (%y) {
          %a = exp(%x)
          %b = neg(%x)
          %y = add(%a, %b)
        }
        """);
    MemoryPlan p = planValid(g, Map.of());
    Buffer a = p.buffer("a"), b = p.buffer("b");
    // Move b onto a: both are live at step 2.
    assertFalse(PlanChecker.check(g, with(p, new Buffer("b", a.offset(), b.size(), b.firstUse(), b.lastUse(), b.kind(), null, null))).isEmpty());
    // Claim a (step 0) is written in place over x: x is still read at step 1.
    assertFalse(PlanChecker.check(g, with(p, new Buffer("a", p.buffer("x").offset(), a.size(), 0, 2, a.kind(), "x", "in-place"))).isEmpty());
    // Misaligned and wrong live range.
    assertFalse(PlanChecker.check(g, with(p, new Buffer("a", a.offset() + 4, a.size(), 0, 2, a.kind(), null, null))).isEmpty());
    assertFalse(PlanChecker.check(g, with(p, new Buffer("a", a.offset(), a.size(), 0, 1, a.kind(), null, null))).isEmpty());
  }

  static MemoryPlan with(MemoryPlan p, Buffer replacement) {
    List<Buffer> bs = new ArrayList<>();
    for (Buffer b : p.buffers()) bs.add(b.value().equals(replacement.value()) ? replacement : b);
    return new MemoryPlan(bs, p.steps(), p.peakBytes(), p.naiveBytes(), p.lowerBound(), p.weightsBytes(), p.alignment(), p.bindings(), p.unplanned());
  }
}
