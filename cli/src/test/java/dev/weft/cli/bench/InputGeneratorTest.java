package dev.weft.cli.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.bundle.Tensor;
import dev.weft.ir.Graph;
import dev.weft.ir.text.WirParser;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class InputGeneratorTest {
  private static final String MODEL = """
      module {
        graph @main(%ids: i64[2,3], %attention_mask: i64[2,3], %x: f32[batch,4], %n: i32[2]) -> (%y, %m, %n2) {
          %table = constant() {value = dense<f32[7,4]> [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]}
          %c = cast(%ids) {to = dtype<i32>}
          %e = gather(%table, %c) {axis = 0}
          %y = add(%e, %x)
          %m = cast(%attention_mask) {to = dtype<f32>}
          %n2 = neg(%n)
        }
      }
      """;

  @Test
  void idsStayInsideTheTableTheyIndexMasksAreOnes() {
    Graph g = new WirParser().parse(MODEL, "t.wir").main();
    List<InputSpec> specs = InputGenerator.specsOf(g, Map.of());
    assertEquals(7, specs.get(0).intBound(), "the gather's table has 7 rows (found through the cast)");
    assertEquals(InputGenerator.MAX_INT, specs.get(3).intBound(), "no table: the default bound");
    assertArrayEquals(new long[] {1, 4}, specs.get(2).shape(), "a symbolic dim defaults to 1");
    List<Tensor> t = InputGenerator.generate(specs, 42);
    for (long i = 0; i < t.get(0).size(); i++) {
      long v = t.get(0).getLong(i);
      assertTrue(v >= 0 && v < 7, "id " + v);
    }
    for (long i = 0; i < t.get(1).size(); i++) assertEquals(1, t.get(1).getLong(i));
    assertTrue(InputGenerator.generate(specs, 42).get(2).contentEquals(t.get(2)), "same seed, same data");
  }

  @Test
  void shapesOptionFixesSymbolicDims() {
    Graph g = new WirParser().parse(MODEL, "t.wir").main();
    List<InputSpec> specs = InputGenerator.specsOf(g, Map.of("x", new long[] {3, 4}));
    assertArrayEquals(new long[] {3, 4}, specs.get(2).shape());
  }

  @Test
  void latencyStatisticsByHand() {
    Latency l = new Latency(new long[] {5_000_000, 1_000_000, 3_000_000, 2_000_000, 4_000_000, 6_000_000, 7_000_000, 8_000_000,
        9_000_000, 10_000_000});
    assertEquals(5.5, l.medianMs(), 1e-12);
    assertEquals(9.0, l.p90Ms(), 1e-12);
    assertEquals(1.0, l.minMs(), 1e-12);
    assertEquals(3_000_000, Latency.median(new long[] {3_000_000, 1_000_000, 9_000_000}));
  }
}
