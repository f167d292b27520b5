package dev.weft.ir;

import dev.weft.bundle.DType;
import dev.weft.bundle.Tensor;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/** A typed node attribute. No {@code Object} payloads: each kind is its own record. */
public sealed interface Attribute {
  /** The kinds, as op schemas declare them. */
  enum Kind { INT, FLOAT, STRING, INTS, FLOATS, STRINGS, TENSOR, GRAPH, GRAPHS, TYPE, DTYPE }

  Kind kind();

  record Int(long value) implements Attribute {
    public Kind kind() { return Kind.INT; }
  }

  record Float(double value) implements Attribute {
    public Kind kind() { return Kind.FLOAT; }
  }

  record Str(String value) implements Attribute {
    public Str { Objects.requireNonNull(value); }

    public Kind kind() { return Kind.STRING; }
  }

  record Ints(long[] values) implements Attribute {
    public Ints { values = values.clone(); }

    public long[] values() { return values.clone(); }

    public int size() { return values.length; }

    public long get(int i) { return values[i]; }

    public Kind kind() { return Kind.INTS; }

    @Override public boolean equals(Object o) { return o instanceof Ints i && Arrays.equals(values, i.values); }

    @Override public int hashCode() { return Arrays.hashCode(values); }

    @Override public String toString() { return Arrays.toString(values); }
  }

  record Floats(double[] values) implements Attribute {
    public Floats { values = values.clone(); }

    public double[] values() { return values.clone(); }

    public Kind kind() { return Kind.FLOATS; }

    @Override public boolean equals(Object o) { return o instanceof Floats f && Arrays.equals(values, f.values); }

    @Override public int hashCode() { return Arrays.hashCode(values); }

    @Override public String toString() { return Arrays.toString(values); }
  }

  record Strs(List<String> values) implements Attribute {
    public Strs { values = List.copyOf(values); }

    public Kind kind() { return Kind.STRINGS; }
  }

  record TensorValue(Tensor value) implements Attribute {
    public TensorValue { Objects.requireNonNull(value); }

    public Kind kind() { return Kind.TENSOR; }
  }

  /** A subgraph (If branches, Loop body). */
  record GraphValue(Graph value) implements Attribute {
    public GraphValue { Objects.requireNonNull(value); }

    public Kind kind() { return Kind.GRAPH; }
  }

  record Graphs(List<Graph> values) implements Attribute {
    public Graphs { values = List.copyOf(values); }

    public Kind kind() { return Kind.GRAPHS; }
  }

  record TypeValue(Type value) implements Attribute {
    public TypeValue { Objects.requireNonNull(value); }

    public Kind kind() { return Kind.TYPE; }
  }

  record DTypeValue(DType value) implements Attribute {
    public DTypeValue { Objects.requireNonNull(value); }

    public Kind kind() { return Kind.DTYPE; }
  }

  static Attribute of(long v) { return new Int(v); }

  static Attribute of(double v) { return new Float(v); }

  static Attribute of(String v) { return new Str(v); }

  static Attribute of(long... v) { return new Ints(v); }

  static Attribute of(DType v) { return new DTypeValue(v); }

  static Attribute of(Tensor v) { return new TensorValue(v); }

  static Attribute of(Graph g) { return new GraphValue(g); }
}
