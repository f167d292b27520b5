package dev.weft.ir.text;

import static dev.weft.ir.text.GraphAssert.assertSameModule;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.bundle.DType;
import dev.weft.bundle.Tensor;
import dev.weft.ir.Attribute;
import dev.weft.ir.Dim;
import dev.weft.ir.Graph;
import dev.weft.ir.GraphBuilder;
import dev.weft.ir.Location;
import dev.weft.ir.Module;
import dev.weft.ir.Node;
import dev.weft.ir.OptionalType;
import dev.weft.ir.SequenceType;
import dev.weft.ir.Shape;
import dev.weft.ir.TensorType;
import dev.weft.ir.Value;
import java.lang.foreign.ValueLayout;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Hand-written modules: the canonical text of each feature, and print(parse(print(m))) == print(m). */
class WirRoundTripTest {
  private static final WirParser PARSER = new WirParser(TestOps.REGISTRY);

  private static String roundTrip(Module m) {
    String text = WirPrinter.toText(m);
    Module back = PARSER.parse(text, "rt.wir");
    assertEquals(text, WirPrinter.toText(back));
    assertSameModule(m, back);
    return text;
  }

  /** The text is already canonical, so printing its parse reproduces it byte for byte. */
  private static void assertCanonical(String text) {
    assertEquals(text, WirPrinter.toText(PARSER.parse(text, "golden.wir")));
  }

  @Test
  void goldenTextCoversGraphsLocationsAndSubgraphs() {
    assertCanonical("""
        module {
          meta "producer" = "weft"
          meta "weird \\"key\\"" = "line\\nbreak\\u0001"
          graph @main(%x: f32[batch,2], %m: bool[*], %s: seq<f32[2]>, %o: opt<i64[]>, %"odd name": i8["n m",3]) -> (%y, %r) {
            %w: f32[2] = constant() {value = dense<f32[2]> [1.0, -0.0]} loc("model.onnx" "W")
            %y: f32[batch,2] = add(%x, %w) loc("model.onnx" "Add_1")
            %r: f32[batch,2] = t.any(%y, _, %x) {else = graph @else() -> (%e) {
              %e: f32[batch,2] = neg(%x)
            }, then = graph @then(%t: f32[batch,2]) -> (%y) {
            }} loc(_ "If_0" 3:4)
            t.any(%m, %s, %o) {n = 0, xs = graphs[]} loc("a.py" _ 7:1)
          }
        }
        """);
  }

  @Test
  void goldenTextCoversEveryAttributeKind() {
    assertCanonical("""
        module {
          graph @main() -> (%k) {
            %k: f32[] = t.kinds() {dtype = dtype<bf16>, float = 0.1, floats = [1.0, nan, -inf, nan(0x7ff0000000000001), 1.0E-300], graph = graph @g() -> () {
            }, graphs = [graph @a() -> () {
            }, graph @b(%q: i8[3]) -> (%q) {
            }], int = -9223372036854775808, ints = [1, -2, 3], string = "s\\t\\"", strings = ["a", ""], tensor = dense<i4[3]> [-8, 0, 7], type = type<seq<opt<u8[*]>>>}
            t.any() {empty_f = floats[], empty_i = ints[], empty_s = strs[], n = 0}
          }
        }
        """);
  }

  @Test
  void resultTypesMayBeOmittedAndAreInferred() {
    Module m = PARSER.parse("graph @g(%a: f32[n,3]) -> (%b) { %b = relu(%a) }");
    Value b = m.main().outputs().get(0);
    assertEquals(TensorType.of(DType.F32, Dim.sym("n"), Dim.of(3)), b.type());
    assertTrue(WirPrinter.toText(m).contains("%b: f32[n,3] = relu(%a)"));
  }

  @Test
  void schemaWidensIntegersAndTypesEmptyLists() {
    Module m = PARSER.parse("graph @g() -> () { %k = t.kinds() {float = 2, floats = [1, 2], ints = [], graphs = []} }");
    Node n = m.main().nodes().get(0);
    assertEquals(new Attribute.Float(2.0), n.attribute("float"));
    assertEquals(new Attribute.Floats(new double[] {1, 2}), n.attribute("floats"));
    assertEquals(new Attribute.Ints(new long[0]), n.attribute("ints"));
    assertEquals(new Attribute.Graphs(List.of()), n.attribute("graphs"));
  }

  @Test
  void everyDTypeRoundTripsBitExactly() {
    Graph g = new Graph("main");
    GraphBuilder b = new GraphBuilder(g, TestOps.REGISTRY);
    for (DType dt : DType.values()) {
      Tensor t = special(dt);
      g.addOutput(b.constant(t, "c_" + dt.textName()));
    }
    Module m = new Module(g);
    String text = roundTrip(m);
    assertTrue(text.contains("dense<f32[6]> [nan, nan(0x7fc00001), nan(0xffc00000), inf, -inf, -0.0]"), text);
    assertTrue(text.contains("dense<bool[6]> [true, false, true, false, true, false]"), text);
    assertTrue(text.contains("dense<u64[6]> [18446744073709551615, "), text);
  }

  /** Six elements of {@code dt} with the hard cases: NaN payloads, signed zero, infinities, extremes. */
  private static Tensor special(DType dt) {
    long[] shape = {6};
    if (dt == DType.STRING) return Tensor.ofStrings(shape, "", "a\"b", "\\", "é", "\u0000\n", "\ud800");
    Tensor t = Tensor.zeros(dt, shape);
    var d = t.data();
    switch (dt) {
      case F32 -> {
        int[] bits = {0x7fc00000, 0x7fc00001, 0xffc00000, 0x7f800000, 0xff800000, 0x80000000};
        for (int i = 0; i < 6; i++) d.setAtIndex(ValueLayout.JAVA_INT_UNALIGNED, i, bits[i]);
      }
      case F64, C64 -> {
        long[] bits = {0x7ff8000000000000L, 0x7ff0000000000001L, 0x8000000000000000L, 1L, 0x7fefffffffffffffL, 0x3fb999999999999aL};
        for (int i = 0; i < 6; i++) d.setAtIndex(ValueLayout.JAVA_LONG_UNALIGNED, i, bits[i]);
      }
      case C128 -> {
        for (int i = 0; i < 12; i++) d.setAtIndex(ValueLayout.JAVA_LONG_UNALIGNED, i, 0x7ff0000000000001L + i * 0x0010000000000000L);
      }
      case BOOL -> { for (int i = 0; i < 6; i++) t.setBool(i, i % 2 == 0); }
      default -> {
        if (dt.isNarrowFloat()) {
          int mask = (1 << dt.bits()) - 1;
          int[] bits = {0, mask, mask >> 1, 1, mask ^ (mask >> 1), 0x3c00 & mask};
          for (int i = 0; i < 6; i++) {
            if (dt.byteSize() == 2) d.setAtIndex(ValueLayout.JAVA_SHORT_UNALIGNED, i, (short) bits[i]);
            else d.set(ValueLayout.JAVA_BYTE, i, (byte) bits[i]);
          }
        } else {
          long[] v = {-1, 0, 1, Long.MAX_VALUE, Long.MIN_VALUE, 5};
          for (int i = 0; i < 6; i++) t.setLong(i, v[i]);
        }
      }
    }
    return t;
  }

  @Test
  void subgraphsUseOuterValuesAndClashingNamesAreRenamed() {
    Graph main = new Graph("main");
    Value x = main.addInput("x", TensorType.of(DType.F32, Dim.sym("n")));
    Graph body = new Graph("body");
    GraphBuilder bb = new GraphBuilder(body, TestOps.REGISTRY);
    Value inner = bb.op1("neg", x);
    inner.setName("x"); // shadows the outer %x; the printer must not let it capture later uses
    Value again = bb.op1("add", inner, x);
    body.addOutput(again);
    GraphBuilder b = new GraphBuilder(main, TestOps.REGISTRY);
    Value r = b.op("t.any", List.of(x), Map.of("body", new Attribute.GraphValue(body))).get(0);
    r.setName("x"); // a duplicate in the same graph as well
    main.addOutput(r);
    String text = roundTrip(new Module(main));
    // The outer duplicate took x_1, so the inner one skips it: names are unique along the chain.
    assertTrue(text.contains("%x_2: f32[n] = neg(%x)"), text);
    assertTrue(text.contains("add(%x_2, %x)"), text);
  }

  @Test
  void typesOfEveryShapeKindRoundTrip() {
    Graph g = new Graph("types");
    g.addInput("a", new TensorType(DType.F16, Shape.unranked()));
    g.addInput("b", new SequenceType(new OptionalType(TensorType.of(DType.STRING, Dim.sym("graph"), Dim.sym("_s0"), Dim.of(0)))));
    g.addInput("c", new TensorType(DType.C128, Shape.scalar()));
    g.addInput("d", TensorType.of(DType.I2, Dim.sym("with space"), Dim.sym("12")));
    String text = roundTrip(new Module(g));
    assertTrue(text.contains("%b: seq<opt<string[graph,_s0,0]>>"), text);
    assertTrue(text.contains("%d: i2[\"with space\",\"12\"]"), text);
  }

  @Test
  void freshSymbolsFromInferenceDoNotClashWithWrittenOnes() {
    Module m = PARSER.parse("graph @g(%a: f32[_s7]) -> () { }");
    assertEquals(Dim.sym("_s8"), m.main().freshSymbol());
  }

  @Test
  void locationsSurvive() {
    Module m = PARSER.parse("""
        graph @g(%a: f32[2]) -> (%b, %c) {
          %b = relu(%a) loc("m.onnx" "Relu_3")
          %c = neg(%b) loc(_ _ 12:5)
        }
        """);
    List<Node> ns = m.main().nodes();
    assertEquals(Location.named("m.onnx", "Relu_3"), ns.get(0).location());
    assertEquals(new Location(null, null, 12, 5), ns.get(1).location());
    assertEquals("<string>", m.sourceFile());
    roundTrip(m);
  }

  @Test
  void parsedSubgraphKnowsItsEnclosingGraph() {
    Module m = PARSER.parse("graph @g(%a: f32[2]) -> (%r) { %r = t.any(%a) {body = graph @b() -> (%z) { %z = neg(%a) }} }");
    Graph body = m.main().nodes().get(0).attrs().getGraph("body");
    assertEquals(m.main(), body.enclosing());
    assertInstanceOf(TensorType.class, body.outputs().get(0).type());
    assertEquals(m.main().inputs().get(0), body.nodes().get(0).input(0));
  }
}
