package dev.weft.passes.simplify;

import dev.weft.bundle.Tensor;
import dev.weft.ir.Attribute;
import dev.weft.ir.Constants;
import dev.weft.ir.Graph;
import dev.weft.ir.Module;
import dev.weft.ir.Node;
import dev.weft.ir.Value;
import dev.weft.passes.Pass;
import dev.weft.passes.PassContext;
import dev.weft.passes.Rewrite;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Common subexpression elimination by structural hashing: two nodes with the same op, the
 * same operands (by identity; commutative ops sorted) and equal attributes compute the same
 * values, so the later one is replaced by the earlier. Constants compare by dtype, shape and
 * bytes, so duplicated weights merge. Deterministic: nodes are visited in schedule order and
 * the first of a class survives.
 *
 * <p>Subgraphs: a node in a subgraph may reuse an equal node of an enclosing graph that is
 * scheduled before the subgraph's holder (its operands are then outer values too, so it is
 * invariant in the loop or branch); siblings never see each other. Nodes that hold subgraphs,
 * random ops and ops with side effects never merge.
 */
public final class Cse implements Pass {
  /** Operand order does not matter for these, so {@code add(a,b)} and {@code add(b,a)} merge. */
  static final Set<String> COMMUTATIVE = Set.of("add", "mul", "and", "or", "xor", "equal", "bitwise_and", "bitwise_or", "bitwise_xor");

  @Override
  public String name() { return "cse"; }

  @Override
  public boolean run(Module module, PassContext ctx) {
    Run r = new Run();
    r.graph(module.main(), null);
    ctx.count("merged", r.merged);
    return r.merged > 0;
  }

  private static final class Scope {
    final Map<Key, Node> table = new HashMap<>();
    final Scope outer;

    Scope(Scope outer) { this.outer = outer; }

    Node find(Key k) {
      for (Scope s = this; s != null; s = s.outer) {
        Node n = s.table.get(k);
        if (n != null) return n;
      }
      return null;
    }
  }

  private static final class Run {
    final IdentityHashMap<Value, Integer> ids = new IdentityHashMap<>();
    int merged;

    int id(Value v) {
      if (v == null) return -1;
      return ids.computeIfAbsent(v, k -> ids.size());
    }

    void graph(Graph g, Scope outer) {
      Scope scope = new Scope(outer);
      for (Value v : g.inputs()) id(v);
      for (Node n : new ArrayList<>(g.nodes())) {
        if (!n.subgraphs().isEmpty()) {
          for (Graph sub : n.subgraphs()) graph(sub, scope);
          for (Value v : n.outputs()) id(v);
          continue;
        }
        if (Rewrite.isRandom(n) || Rewrite.hasSideEffects(n)) {
          for (Value v : n.outputs()) id(v);
          continue;
        }
        Key key = key(n);
        Node prev = scope.find(key);
        if (prev != null && replaceAll(n, prev)) {
          merged++;
          continue;
        }
        for (Value v : n.outputs()) id(v);
        if (prev == null) scope.table.put(key, n);
      }
    }

    private boolean replaceAll(Node n, Node prev) {
      if (prev.outputCount() != n.outputCount()) return false;
      for (int i = 0; i < n.outputCount(); i++) {
        if (!Rewrite.canReplace(n.output(i), prev.output(i))) return false;
      }
      for (int i = 0; i < n.outputCount(); i++) Rewrite.replace(n.output(i), prev.output(i));
      return Rewrite.eraseIfDead(n);
    }

    Key key(Node n) {
      int[] operands = new int[n.inputCount()];
      for (int i = 0; i < operands.length; i++) operands[i] = id(n.input(i));
      if (COMMUTATIVE.contains(n.opName())) Arrays.sort(operands);
      Tensor value = n.opName().equals(Constants.OP) ? Constants.valueOf(n.output(0)) : null;
      return new Key(n.opName(), operands, n.attributes(), value, n.outputCount());
    }
  }

  /** Structural identity of a node; a constant's tensor compares by content. */
  private record Key(String op, int[] operands, Map<String, Attribute> attrs, Tensor constant, int results) {
    @Override
    public boolean equals(Object o) {
      if (!(o instanceof Key k)) return false;
      if (!op.equals(k.op) || results != k.results || !Arrays.equals(operands, k.operands)) return false;
      if (constant != null || k.constant != null) {
        return constant != null && k.constant != null && constant.dtype() == k.constant.dtype()
            && Arrays.equals(constant.shape(), k.constant.shape()) && constant.contentEquals(k.constant);
      }
      if (!attrs.keySet().equals(k.attrs.keySet())) return false;
      for (var e : attrs.entrySet()) if (!attrEquals(e.getValue(), k.attrs.get(e.getKey()))) return false;
      return true;
    }

    @Override
    public int hashCode() {
      int h = (op.hashCode() * 31 + results) * 31 + Arrays.hashCode(operands);
      if (constant != null) return h * 31 + contentHash(constant);
      for (var e : attrs.entrySet()) h = h * 31 + e.getKey().hashCode() * 17 + attrHash(e.getValue());
      return h;
    }
  }

  static boolean attrEquals(Attribute a, Attribute b) {
    if (a instanceof Attribute.TensorValue ta && b instanceof Attribute.TensorValue tb) {
      Tensor x = ta.value();
      Tensor y = tb.value();
      return x.dtype() == y.dtype() && Arrays.equals(x.shape(), y.shape()) && x.contentEquals(y);
    }
    return a.equals(b);   // graphs compare by identity: two subgraphs are never assumed equal
  }

  static int attrHash(Attribute a) {
    if (a instanceof Attribute.TensorValue t) return contentHash(t.value());
    return a.hashCode();
  }

  /** A hash of dtype, shape and (a sample of) the contents, cheap for large weights. */
  static int contentHash(Tensor t) {
    int h = t.dtype().hashCode() * 31 + Arrays.hashCode(t.shape());
    if (t.dtype().kind() == dev.weft.bundle.DType.Kind.COMPLEX) return h;
    long n = t.size();
    long step = Math.max(1, n / 64);
    for (long i = 0; i < n; i += step) {
      h = h * 31 + (t.dtype() == dev.weft.bundle.DType.STRING ? t.getString(i).hashCode() : Long.hashCode(t.getBits(i)));
    }
    return h;
  }
}
