package dev.weft.ir.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.weft.ir.Graph;
import dev.weft.ir.IrException;
import dev.weft.ir.Module;
import dev.weft.ir.SequenceType;
import org.junit.jupiter.api.Test;

/** One test per error kind: the message names the file, line and column, and what was wrong. */
class WirErrorTest {
  private static String error(String text) {
    WirParseException e = assertThrows(WirParseException.class, () -> new WirParser(TestOps.REGISTRY).parse(text, "bad.wir"));
    return e.getMessage();
  }

  private static final String G = "graph @g(%a: f32[2]) -> () {\n";

  @Test
  void syntaxErrorSaysExpectedAndFound() {
    assertEquals("bad.wir:1:21: expected one of ',', ')', found '->'", error("graph @g(%a: f32[2] -> () {}"));
  }

  @Test
  void endOfInput() {
    assertEquals("bad.wir:2:1: expected one of '}', a value name (%x), a name, a string, found end of input", error(G));
  }

  @Test
  void badCharacter() {
    assertEquals("bad.wir:2:3: expected a token, found '#'", error(G + "  # }"));
  }

  @Test
  void unknownOp() {
    assertEquals("bad.wir:2:8: unknown op 'frobnicate'", error(G + "  %b = frobnicate(%a)\n}"));
  }

  @Test
  void unknownValue() {
    assertEquals("bad.wir:2:13: unknown value %zz", error(G + "  %b = relu(%zz)\n}"));
    assertEquals("bad.wir:1:26: unknown value %nope", error("graph @g(%a: f32[2]) -> (%nope) {\n}"));
  }

  @Test
  void wrongAttributeKindForSchema() {
    assertEquals("bad.wir:2:28: attribute 'value' of op 'constant' expects TENSOR, found INT", error(G + "  %c = constant() {value = 3}\n}"));
    assertEquals("bad.wir:2:26: attribute 'ints' of op 't.kinds' expects INTS, found STRINGS", error(G + "  %c = t.kinds() {ints = [\"x\"]}\n}"));
  }

  @Test
  void duplicateValueName() {
    assertEquals("bad.wir:2:3: duplicate value name %a", error(G + "  %a = relu(%a)\n}"));
    assertEquals("bad.wir:1:22: duplicate value name %a", error("graph @g(%a: f32[2], %a: f32[2]) -> () {}"));
  }

  @Test
  void duplicateAttribute() {
    assertEquals("bad.wir:2:21: duplicate attribute 'n'", error(G + "  t.any(%a) {n = 0, n = 0}\n}"));
  }

  @Test
  void missingRequiredAttribute() {
    assertEquals("bad.wir:2:8: op 'constant' requires attribute 'value'", error(G + "  %c = constant()\n}"));
  }

  @Test
  void operandCount() {
    assertEquals("bad.wir:2:8: op 'add' takes 2 operands, found 1", error(G + "  %c = add(%a)\n}"));
  }

  @Test
  void resultCount() {
    assertEquals("bad.wir:2:3: op 'relu' has 1 results, found 2 names", error(G + "  %b, %c = relu(%a)\n}"));
  }

  @Test
  void writtenResultTypeMustAgreeWithInference() {
    assertEquals("bad.wir:2:3: result %b is written f32[3] but op 'relu' infers f32[2]", error(G + "  %b: f32[3] = relu(%a)\n}"));
  }

  @Test
  void typeInferenceFailure() {
    String m = error("graph @g(%a: f32[2], %b: i32[2]) -> () {\n  %c = add(%a, %b)\n}");
    assertEquals("bad.wir:2:8: op 'add': ", m.substring(0, "bad.wir:2:8: op 'add': ".length()), m);
  }

  @Test
  void unknownDType() {
    assertEquals("bad.wir:1:14: unknown dtype 'f33'", error("graph @g(%a: f33[2]) -> () {}"));
  }

  @Test
  void badTensorLiterals() {
    assertEquals("bad.wir:2:28: expected 3 elements for f32[3], found 2", error(G + "  %c = constant() {value = dense<f32[3]> [1.0, 2.0]}\n}"));
    assertEquals("bad.wir:2:45: integer 300 is out of range [-128, 127] in i8 tensor", error(G + "  %c = constant() {value = dense<i8[2]> [1, 300]}\n}"));
    assertEquals("bad.wir:2:43: expected a number, found \"x\" in f32 tensor", error(G + "  %c = constant() {value = dense<f32[1]> [\"x\"]}\n}"));
    assertEquals("bad.wir:2:46: 0x1ff does not fit in 8 bits in f8e5m2 tensor", error(G + "  %c = constant() {value = dense<f8e5m2[1]> [0x1ff]}\n}"));
  }

  @Test
  void emptyListNeedsAKindWithoutSchema() {
    assertEquals("bad.wir:2:17: expected a list kind (ints[], floats[], strs[] or graphs[]) for an empty list, found []",
        error(G + "  t.any() {xs = [], n = 0}\n}"));
  }

  private static String nested(int levels) {
    StringBuilder sb = new StringBuilder("graph @g0() -> () {\n");
    for (int i = 1; i <= levels; i++) sb.append("t.any() {n = 0, b = graph @g").append(i).append("() -> () {\n");
    sb.append("}}\n".repeat(levels));
    return sb.append("}\n").toString();
  }

  @Test
  void graphNestingIsBounded() {
    Module ok = new WirParser(TestOps.REGISTRY).parse(nested(WirParser.DEFAULT_MAX_DEPTH));
    Graph g = ok.main();
    while (!g.nodes().isEmpty()) g = g.nodes().get(0).attrs().getGraph("b");
    assertEquals(WirParser.DEFAULT_MAX_DEPTH, g.depth());
    assertEquals("bad.wir:258:21: graphs nest deeper than 256", error(nested(257)));
    IrException deep = assertThrows(WirParseException.class, () -> new WirParser(TestOps.REGISTRY).parse(nested(100_000)));
    assertEquals(true, deep.getMessage().contains("nesting deeper than 1088 brackets"), deep.getMessage());
    assertEquals(true, error("graph @g(%a: " + "seq<".repeat(50_000)).contains("nesting deeper"));
  }

  @Test
  void deepButBoundedTypesParse() {
    int n = 1000;
    Module m = new WirParser().parse("graph @g(%a: " + "seq<".repeat(n) + "f32[]" + ">".repeat(n) + ") -> () {}");
    var t = m.main().inputs().get(0).type();
    for (int i = 0; i < n; i++) t = ((SequenceType) t).element();
    assertEquals("f32[]", WirPrinter.type(t));
  }
}
