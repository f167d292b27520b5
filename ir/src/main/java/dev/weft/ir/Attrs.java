package dev.weft.ir;

import dev.weft.bundle.DType;
import dev.weft.bundle.Tensor;
import java.util.List;

/**
 * Typed attribute access for one node: the node's value, else the schema default, else an
 * error naming the node and attribute.
 */
public final class Attrs {
  private final Node node;

  Attrs(Node node) { this.node = node; }

  public boolean has(String name) { return node.attribute(name) != null; }

  private Attribute get(String name, Attribute.Kind kind) {
    Attribute a = node.attribute(name);
    if (a == null) {
      AttrSpec spec = node.op().attr(name);
      if (spec == null) throw new IrException(node, "op " + node.opName() + " has no attribute '" + name + "'");
      a = spec.defaultValue();
      if (a == null) throw new IrException(node, "missing required attribute '" + name + "'");
    }
    if (a.kind() != kind) throw new IrException(node, "attribute '" + name + "' is " + a.kind() + ", expected " + kind);
    return a;
  }

  public long getInt(String name) { return ((Attribute.Int) get(name, Attribute.Kind.INT)).value(); }

  public int getInt32(String name) { return Math.toIntExact(getInt(name)); }

  public boolean getBool(String name) { return getInt(name) != 0; }

  public double getFloat(String name) { return ((Attribute.Float) get(name, Attribute.Kind.FLOAT)).value(); }

  public String getString(String name) { return ((Attribute.Str) get(name, Attribute.Kind.STRING)).value(); }

  public long[] getInts(String name) { return ((Attribute.Ints) get(name, Attribute.Kind.INTS)).values(); }

  public double[] getFloats(String name) { return ((Attribute.Floats) get(name, Attribute.Kind.FLOATS)).values(); }

  public List<String> getStrings(String name) { return ((Attribute.Strs) get(name, Attribute.Kind.STRINGS)).values(); }

  public Tensor getTensor(String name) { return ((Attribute.TensorValue) get(name, Attribute.Kind.TENSOR)).value(); }

  public Graph getGraph(String name) { return ((Attribute.GraphValue) get(name, Attribute.Kind.GRAPH)).value(); }

  public Type getType(String name) { return ((Attribute.TypeValue) get(name, Attribute.Kind.TYPE)).value(); }

  public DType getDType(String name) { return ((Attribute.DTypeValue) get(name, Attribute.Kind.DTYPE)).value(); }

  /** Ints attribute or {@code fallback} when absent and without default. */
  public long[] getIntsOr(String name, long[] fallback) { return hasValue(name) ? getInts(name) : fallback; }

  public long getIntOr(String name, long fallback) { return hasValue(name) ? getInt(name) : fallback; }

  public double getFloatOr(String name, double fallback) { return hasValue(name) ? getFloat(name) : fallback; }

  public String getStringOr(String name, String fallback) { return hasValue(name) ? getString(name) : fallback; }

  /** Set on the node or defaulted by the schema. */
  public boolean hasValue(String name) {
    if (node.attribute(name) != null) return true;
    AttrSpec spec = node.op().attr(name);
    return spec != null && spec.defaultValue() != null;
  }
}
