package dev.weft.ir.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.ir.Attribute;
import dev.weft.ir.Graph;
import dev.weft.ir.Module;
import dev.weft.ir.Node;
import dev.weft.ir.Value;
import java.util.IdentityHashMap;
import java.util.Map;

/** Structural equality of two modules up to value names (the printer may rename clashes). */
final class GraphAssert {
  private final Map<Value, Value> map = new IdentityHashMap<>();

  static void assertSameModule(Module a, Module b) {
    assertEquals(a.metadata(), b.metadata());
    new GraphAssert().graph(a.main(), b.main());
  }

  private void graph(Graph a, Graph b) {
    assertEquals(a.name(), b.name());
    assertEquals(a.inputs().size(), b.inputs().size(), "inputs of " + a.name());
    for (int i = 0; i < a.inputs().size(); i++) value(a.inputs().get(i), b.inputs().get(i));
    assertEquals(a.nodes().size(), b.nodes().size(), "nodes of " + a.name());
    for (int i = 0; i < a.nodes().size(); i++) node(a.nodes().get(i), b.nodes().get(i));
    assertEquals(a.outputs().size(), b.outputs().size());
    for (int i = 0; i < a.outputs().size(); i++) assertTrue(map.get(a.outputs().get(i)) == b.outputs().get(i), "output " + i);
  }

  private void node(Node a, Node b) {
    assertEquals(a.opName(), b.opName());
    assertEquals(a.location(), b.location());
    assertEquals(a.inputCount(), b.inputCount(), a.describe());
    for (int i = 0; i < a.inputCount(); i++) {
      Value x = a.input(i);
      assertTrue(x == null ? b.input(i) == null : map.get(x) == b.input(i), a.describe() + " operand " + i);
    }
    assertEquals(a.attributes().keySet(), b.attributes().keySet());
    for (String k : a.attributes().keySet()) attribute(a.attribute(k), b.attribute(k));
    assertEquals(a.outputCount(), b.outputCount());
    for (int i = 0; i < a.outputCount(); i++) value(a.output(i), b.output(i));
  }

  private void attribute(Attribute a, Attribute b) {
    switch (a) {
      case Attribute.TensorValue t -> assertTrue(t.value().contentEquals(((Attribute.TensorValue) b).value()), "tensor " + t.value());
      case Attribute.Float f -> assertEquals(Double.doubleToRawLongBits(f.value()), Double.doubleToRawLongBits(((Attribute.Float) b).value()));
      case Attribute.Floats f -> {
        double[] x = f.values();
        double[] y = ((Attribute.Floats) b).values();
        assertEquals(x.length, y.length);
        for (int i = 0; i < x.length; i++) assertEquals(Double.doubleToRawLongBits(x[i]), Double.doubleToRawLongBits(y[i]));
      }
      case Attribute.GraphValue g -> graph(g.value(), ((Attribute.GraphValue) b).value());
      case Attribute.Graphs gs -> {
        var other = ((Attribute.Graphs) b).values();
        assertEquals(gs.values().size(), other.size());
        for (int i = 0; i < other.size(); i++) graph(gs.values().get(i), other.get(i));
      }
      default -> assertEquals(a, b);
    }
  }

  private void value(Value a, Value b) {
    assertEquals(a.type(), b.type(), "type of %" + a.name());
    map.put(a, b);
  }
}
