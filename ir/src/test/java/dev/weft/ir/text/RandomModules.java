package dev.weft.ir.text;

import dev.weft.bundle.DType;
import dev.weft.bundle.Tensor;
import dev.weft.ir.Attribute;
import dev.weft.ir.Dim;
import dev.weft.ir.Graph;
import dev.weft.ir.GraphBuilder;
import dev.weft.ir.Location;
import dev.weft.ir.Module;
import dev.weft.ir.OptionalType;
import dev.weft.ir.SequenceType;
import dev.weft.ir.Shape;
import dev.weft.ir.TensorType;
import dev.weft.ir.Type;
import dev.weft.ir.Value;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Random modules for the round-trip property: every dtype (with random raw bits for floats),
 * symbolic and unranked shapes, sequences and optionals, attributes of every kind, nested
 * subgraphs that use outer values, absent operands, locations, awkward and clashing names.
 */
final class RandomModules {
  private static final String[] NAMES = {"x", "y", "a b", "onnx::Add/0", "", "_s1", "graph", "%", "é", "t\n", "0", "x_1", "loc"};
  private static final String[] SYMBOLS = {"batch", "seq len", "_s0", "n", "type", "N-1", "_"};
  private static final DType[] DTYPES = DType.values();
  private static final String[] UNARY = {"neg", "abs", "relu", "identity"};

  private final Random r;
  private final int maxDepth;

  RandomModules(long seed, int maxDepth) {
    this.r = new Random(seed);
    this.maxDepth = maxDepth;
  }

  Module module() {
    Graph main = new Graph(pick(NAMES));
    fill(main, List.of(), 0);
    Module m = new Module(main);
    for (int i = r.nextInt(3); i > 0; i--) m.putMetadata(pick(NAMES) + i, pick(NAMES));
    return m;
  }

  /** Builds {@code g}'s body; {@code outer} are values of enclosing graphs it may use. */
  private void fill(Graph g, List<Value> outer, int depth) {
    List<Value> visible = new ArrayList<>(outer);
    for (int i = r.nextInt(4); i > 0; i--) visible.add(g.addInput(pick(NAMES), type(2)));
    GraphBuilder b = new GraphBuilder(g, TestOps.REGISTRY);
    for (int i = r.nextInt(depth == 0 ? 10 : 4); i > 0; i--) {
      b.at(location());
      List<Value> made = switch (r.nextInt(4)) {
        case 0 -> List.of(b.constant(tensor(r.nextInt(10) == 0 ? 70 : 5), pick(NAMES)));
        case 1 -> unary(b, visible);
        default -> any(b, visible, depth);
      };
      visible.addAll(made);
    }
    // Clash some names on purpose: the printer must rename them and still round-trip.
    for (Value v : visible) if (r.nextInt(8) == 0) v.setName(pick(NAMES));
    for (int i = r.nextInt(3); i > 0 && !visible.isEmpty(); i--) g.addOutput(pick(visible));
  }

  private List<Value> unary(GraphBuilder b, List<Value> visible) {
    List<Value> tensors = visible.stream().filter(v -> v.type() instanceof TensorType t && t.dtype().isFloat()).toList();
    if (tensors.isEmpty()) return List.of();
    return List.of(b.op(pick(UNARY), List.of(pick(tensors)), Map.of(), List.of(pick(NAMES))).get(0));
  }

  private List<Value> any(GraphBuilder b, List<Value> visible, int depth) {
    List<Value> in = new ArrayList<>();
    for (int i = r.nextInt(4); i > 0; i--) in.add(visible.isEmpty() || r.nextInt(4) == 0 ? null : pick(visible));
    Map<String, Attribute> attrs = new HashMap<>();
    for (int i = r.nextInt(5); i > 0; i--) attrs.put(pick(NAMES) + "_" + i, attribute(visible, depth));
    attrs.put("n", new Attribute.Int(r.nextInt(3)));
    if (r.nextBoolean()) attrs.put("result", new Attribute.TypeValue(type(2)));
    List<String> names = new ArrayList<>();
    for (int i = 0; i < 3; i++) names.add(pick(NAMES));
    return b.op("t.any", in, attrs, names);
  }

  private Attribute attribute(List<Value> visible, int depth) {
    int kinds = depth < maxDepth ? 11 : 9;
    return switch (r.nextInt(kinds)) {
      case 0 -> new Attribute.Int(r.nextLong() >> r.nextInt(64));
      case 1 -> new Attribute.Float(aDouble());
      case 2 -> new Attribute.Str(pick(NAMES));
      case 3 -> new Attribute.Ints(r.longs(r.nextInt(4)).toArray());
      case 4 -> new Attribute.Floats(new double[] {aDouble(), aDouble()}.length > 0 && r.nextBoolean() ? new double[0] : new double[] {aDouble(), aDouble()});
      case 5 -> new Attribute.Strs(r.nextBoolean() ? List.of() : List.of(pick(NAMES), pick(NAMES)));
      case 6 -> new Attribute.TensorValue(tensor(r.nextInt(10) == 0 ? 100 : 4));
      case 7 -> new Attribute.TypeValue(type(3));
      case 8 -> new Attribute.DTypeValue(pick(DTYPES));
      case 9 -> new Attribute.GraphValue(subgraph(visible, depth));
      default -> {
        List<Graph> gs = new ArrayList<>();
        for (int i = r.nextInt(3); i > 0; i--) gs.add(subgraph(visible, depth));
        yield new Attribute.Graphs(gs);
      }
    };
  }

  private Graph subgraph(List<Value> visible, int depth) {
    Graph g = new Graph(pick(NAMES));
    fill(g, visible, depth + 1);
    return g;
  }

  private double aDouble() {
    return switch (r.nextInt(4)) {
      case 0 -> Double.longBitsToDouble(r.nextLong());
      case 1 -> r.nextGaussian();
      case 2 -> new double[] {Double.NaN, -0.0, Double.POSITIVE_INFINITY, Double.MIN_VALUE, 1e300}[r.nextInt(5)];
      default -> r.nextInt(100);
    };
  }

  private Type type(int nesting) {
    int k = nesting > 0 ? r.nextInt(8) : 0;
    if (k == 6) return new SequenceType(type(nesting - 1));
    if (k == 7) return new OptionalType(type(nesting - 1));
    DType dt = pick(DTYPES);
    if (r.nextInt(6) == 0) return new TensorType(dt, Shape.unranked());
    List<Dim> dims = new ArrayList<>();
    for (int i = r.nextInt(4); i > 0; i--) dims.add(r.nextBoolean() ? Dim.sym(pick(SYMBOLS)) : Dim.of(r.nextInt(5)));
    return new TensorType(dt, new Shape(dims));
  }

  /** A tensor of a random dtype with about {@code n} elements and random contents. */
  private Tensor tensor(int n) {
    DType dt = pick(DTYPES);
    long[] shape = r.nextBoolean() ? new long[] {n} : new long[] {n, 1};
    if (r.nextInt(10) == 0) shape = new long[] {0, 3};
    int size = (int) Tensor.elementCount(shape);
    if (dt == DType.STRING) {
      String[] s = new String[size];
      for (int i = 0; i < size; i++) s[i] = pick(NAMES);
      return Tensor.ofStrings(shape, s);
    }
    Tensor t = Tensor.zeros(dt, shape);
    for (int i = 0; i < size; i++) {
      if (dt == DType.BOOL) t.setBool(i, r.nextBoolean());
      else if (dt.isInteger()) t.setLong(i, r.nextLong());
      else if (dt.isNarrowFloat() && dt.bits() < 8) t.data().set(ValueLayout.JAVA_BYTE, i, (byte) r.nextInt(1 << dt.bits()));
      else for (int k = 0; k < dt.byteSize(); k++) t.data().set(ValueLayout.JAVA_BYTE, (long) i * dt.byteSize() + k, (byte) r.nextInt());
    }
    return t;
  }

  private Location location() {
    return switch (r.nextInt(4)) {
      case 0 -> Location.UNKNOWN;
      case 1 -> Location.named(pick(NAMES), pick(NAMES));
      case 2 -> Location.at("model.py", r.nextInt(1000) + 1, r.nextInt(80));
      default -> new Location(r.nextBoolean() ? null : "f.onnx", r.nextBoolean() ? null : pick(NAMES), r.nextInt(3), r.nextInt(3));
    };
  }

  private <T> T pick(T[] a) { return a[r.nextInt(a.length)]; }

  private <T> T pick(List<T> a) { return a.get(r.nextInt(a.size())); }
}
