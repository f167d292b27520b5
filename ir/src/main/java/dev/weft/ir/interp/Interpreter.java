package dev.weft.ir.interp;

import dev.weft.bundle.Tensor;
import dev.weft.ir.Dim;
import dev.weft.ir.Graph;
import dev.weft.ir.GraphBuilder;
import dev.weft.ir.IrException;
import dev.weft.ir.Node;
import dev.weft.ir.OpDef;
import dev.weft.ir.Shape;
import dev.weft.ir.TensorType;
import dev.weft.ir.Type;
import dev.weft.ir.Value;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * The reference interpreter: runs a verified graph node by node on the CPU, each op exactly
 * as its registry entry defines it. It is the oracle for every later stage, so it favours
 * clarity; it frees each value after its last use so large models fit in memory.
 *
 * <p>A composite without its own kernel runs through its decomposition. Results are checked
 * against the node's declared types, so a kernel that disagrees with its shape function is
 * caught at the node that produced it.
 */
public final class Interpreter {
  /** Values visible while running one graph, chained to the enclosing graph's. */
  static final class Env {
    final IdentityHashMap<Value, Object> values = new IdentityHashMap<>();
    final Env parent;

    Env(Env parent) { this.parent = parent; }

    Object get(Value v) {
      for (Env e = this; e != null; e = e.parent) {
        Object o = e.values.get(v);
        if (o != null || e.values.containsKey(v)) return o;
      }
      throw new IrException(v.producer(), "value %" + v.name() + " used before it was computed");
    }
  }

  private final Map<Node, Graph> expansions = new IdentityHashMap<>();
  private final Map<Graph, List<List<Value>>> dyingCache = new IdentityHashMap<>();

  /** Runs {@code g} on the given inputs (in graph-input order) and returns its outputs. */
  public List<Object> run(Graph g, List<Object> inputs) { return runNested(g, inputs, null); }

  List<Object> runNested(Graph g, List<Object> inputs, Env parent) {
    if (inputs.size() != g.inputs().size()) {
      throw new IrException("graph " + g.name() + " takes " + g.inputs().size() + " inputs, got " + inputs.size());
    }
    Env env = new Env(parent);
    for (int i = 0; i < inputs.size(); i++) env.values.put(g.inputs().get(i), inputs.get(i));
    List<Node> nodes = g.nodes();
    List<List<Value>> dying = dyingCache.computeIfAbsent(g, Interpreter::dyingAfter);
    for (int i = 0; i < nodes.size(); i++) {
      Node n = nodes.get(i);
      Object[] args = new Object[n.inputCount()];
      for (int k = 0; k < args.length; k++) {
        Value v = n.input(k);
        args[k] = v == null ? null : env.get(v);
      }
      Object[] results = execute(n, args, env);
      if (results.length != n.outputCount()) {
        throw new IrException(n, "kernel returned " + results.length + " results, node has " + n.outputCount());
      }
      for (int k = 0; k < results.length; k++) {
        checkResult(n, n.output(k), results[k]);
        env.values.put(n.output(k), results[k]);
      }
      for (Value v : dying.get(i)) env.values.remove(v);
    }
    List<Object> out = new ArrayList<>(g.outputs().size());
    for (Value v : g.outputs()) out.add(env.get(v));
    return out;
  }

  private Object[] execute(Node n, Object[] args, Env env) {
    OpDef op = n.op();
    try {
      if (op.kernel() != null) return op.kernel().run(new KernelContext(n, args, this, env));
      if (op.decomposition() != null) {
        Graph expanded = expansions.computeIfAbsent(n, Interpreter::expand);
        List<Object> in = new ArrayList<>(args.length);
        for (Object a : args) in.add(a);
        return runNested(expanded, in, null).toArray();
      }
      throw new IrException(n, "op " + op.name() + " has no reference implementation");
    } catch (IrException e) {
      throw e;
    } catch (ArithmeticException | IllegalArgumentException | IndexOutOfBoundsException | IllegalStateException e) {
      throw new IrException(n, e.getClass().getSimpleName() + ": " + e.getMessage(), e);
    }
  }

  /** A one-node copy of a composite, expanded into core ops, as a standalone graph. */
  private static Graph expand(Node composite) {
    Graph g = new Graph(composite.opName() + "_expansion");
    Node clone = g.append(composite.op(), composite.location());
    for (Value v : composite.inputs()) {
      clone.addInput(v == null ? null : g.addInput(v.name(), v.type()));
    }
    clone.setAttributes(composite.attributes());
    for (Value v : composite.outputs()) clone.addOutput(g.claim(v.name()), v.type());
    GraphBuilder b = new GraphBuilder(g).insertBefore(clone).at(composite.location());
    List<Value> outs = composite.op().decomposition().expand(clone, b);
    for (Value v : outs) g.addOutput(v);
    g.remove(clone);
    return g;
  }

  /** For each node position, the values of g whose last reader (directly or from a subgraph) is that node. */
  private static List<List<Value>> dyingAfter(Graph g) {
    List<Node> nodes = g.nodes();
    IdentityHashMap<Value, Integer> lastUse = new IdentityHashMap<>();
    for (int i = 0; i < nodes.size(); i++) {
      Node n = nodes.get(i);
      for (Value v : n.inputs()) if (v != null) lastUse.put(v, i);
      for (Graph sub : n.subgraphs()) markCaptures(sub, i, lastUse);
    }
    for (Value v : g.outputs()) lastUse.put(v, Integer.MAX_VALUE);
    List<List<Value>> dying = new ArrayList<>(nodes.size());
    for (int i = 0; i < nodes.size(); i++) dying.add(new ArrayList<>());
    lastUse.forEach((v, i) -> {
      if (i != Integer.MAX_VALUE && v.definingGraph() == g) dying.get(i).add(v);
    });
    // Results nobody reads die right away.
    for (int i = 0; i < nodes.size(); i++) {
      for (Value out : nodes.get(i).outputs()) if (!lastUse.containsKey(out)) dying.get(i).add(out);
    }
    return dying;
  }

  private static void markCaptures(Graph sub, int at, IdentityHashMap<Value, Integer> lastUse) {
    for (Node n : sub.nodes()) {
      for (Value v : n.inputs()) if (v != null) lastUse.merge(v, at, Math::max);
      for (Graph s : n.subgraphs()) markCaptures(s, at, lastUse);
    }
    for (Value v : sub.outputs()) lastUse.merge(v, at, Math::max);
  }

  private static void checkResult(Node n, Value out, Object result) {
    Type t = out.type();
    if (t instanceof TensorType tt) {
      if (!(result instanceof Tensor r)) {
        throw new IrException(n, "result %" + out.name() + " should be a tensor, kernel gave "
            + (result == null ? "null" : result.getClass().getSimpleName()));
      }
      if (r.dtype() != tt.dtype()) {
        throw new IrException(n, "result %" + out.name() + " has dtype " + r.dtype() + ", declared " + tt.dtype());
      }
      Shape s = tt.shape();
      if (s.isRanked()) {
        if (s.rank() != r.rank()) {
          throw new IrException(n, "result %" + out.name() + " has rank " + r.rank() + ", declared " + s);
        }
        for (int i = 0; i < s.rank(); i++) {
          Dim d = s.dim(i);
          if (d.isStatic() && d.size() != r.dim(i)) {
            throw new IrException(n, "result %" + out.name() + " has shape " + java.util.Arrays.toString(r.shape())
                + ", declared " + s);
          }
        }
      }
    }
  }
}
