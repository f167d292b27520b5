package dev.weft.compiler.debug;

import dev.weft.compiler.ProgramLowering;

import dev.weft.bundle.Tensor;
import dev.weft.bundle.WeftException;
import dev.weft.bundle.program.Step;
import dev.weft.compiler.Compiler;
import dev.weft.ir.Constants;
import dev.weft.ir.Graph;
import dev.weft.ir.Node;
import dev.weft.ir.TensorType;
import dev.weft.ir.Value;
import dev.weft.ir.interp.Interpreter;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Finds the first intermediate value where compiled CPU code and the reference interpreter
 * disagree (what Polygraphy does for TensorRT): the compiled program runs step by step in
 * process while the interpreter runs the same optimized graph node by node, and after each
 * kernel node's launches its results are compared with the interpreter's. The interpreter
 * always continues from its own values, so an error introduced by one group shows up first
 * at that group even if later groups inherit it.
 */
public final class NumericsDebugger {
  /**
   * @param perturbGroup test-only fault injection: after this group's launches, its first
   *     result's first element is moved by 1 + |x| before comparison (null: none)
   */
  public record Options(double rtol, double atol, String perturbGroup) {
    public Options {
      if (!(rtol >= 0) || !(atol >= 0)) throw new WeftException("--rtol and --atol must be >= 0, got " + rtol + " and " + atol);
    }
  }

  private NumericsDebugger() {}

  /** Compares every group of a CPU compilation; {@code inputs} by graph-input name. */
  public static NumericsReport run(Compiler.Compilation c, Map<String, Tensor> inputs, Options options) {
    long t0 = System.nanoTime();
    Graph main = c.module().main();
    List<Step> steps = c.lowered().steps();
    Map<Node, ProgramLowering.KernelGroup> groupOf = new IdentityHashMap<>();
    for (ProgramLowering.KernelGroup g : c.lowered().groups()) groupOf.put(g.node(), g);
    Map<Node, ProgramLowering.KernelGroup> controlOf = new IdentityHashMap<>();
    for (ProgramLowering.KernelGroup g : c.lowered().controls()) controlOf.put(g.node(), g);
    List<String> notCompared = new ArrayList<>();
    Map<Value, Integer> lastUse = lastUses(main);
    Map<Value, Object> env = new IdentityHashMap<>();
    for (Value in : main.inputs()) {
      Tensor t = inputs.get(in.name());
      if (t == null) throw new WeftException("missing input '" + in.name() + "'");
      env.put(in, t);
    }
    Interpreter interpreter = new Interpreter();
    List<NumericsReport.GroupResult> rows = new ArrayList<>();
    int launches = 0;
    int at = 0;
    try (NativeProgram program = new NativeProgram(c, inputs)) {
      List<Node> nodes = main.nodes();
      for (int i = 0; i < nodes.size(); i++) {
        Node n = nodes.get(i);
        if (n.opName().equals(Constants.OP)) {
          env.put(n.output(0), Constants.valueOf(n.output(0)));
          continue;
        }
        ProgramLowering.KernelGroup control = controlOf.get(n);
        if (control != null) {
          // The interpreter cannot run a branch or body on its own (they read enclosing values
          // by identity), so the step runs compiled and its results stand in for the reference.
          int first = at;
          while (at < steps.size() && steps.get(at).nested().isEmpty()) program.run(steps.get(at++));   // loop state copies
          if (at == steps.size()) throw new WeftException("debug-numerics: no step for " + control.name() + " after step " + first);
          Step step = steps.get(at);
          program.run(steps.get(at++));
          long inside = Step.flatten(List.of(step)).stream().filter(st -> st instanceof Step.Launch).count();
          launches += (int) inside;
          for (int k = 0; k < n.outputCount(); k++) env.put(n.output(k), copy(program.view(control.buffers().get(k))));
          notCompared.add("step " + (at - 1) + " " + step.op() + " (" + n.describe() + "): " + inside
              + " launch(es) in its branches/body, not compared; later groups continue from its compiled results");
          for (Value v : n.inputs()) if (v != null && lastUse.getOrDefault(v, -1) == i) env.remove(v);
          continue;
        }
        List<Object> results = reference(interpreter, n, env);
        for (int k = 0; k < results.size(); k++) env.put(n.output(k), results.get(k));
        ProgramLowering.KernelGroup g = groupOf.get(n);
        if (g != null) {
          int first = at;
          while (at < steps.size() && steps.get(at) instanceof Step.Launch l && l.group().equals(g.name())) {
            program.run(steps.get(at++));
            launches++;
          }
          if (at == first) throw new WeftException("debug-numerics: no launch of group " + g.name() + " at step " + at);
          if (g.name().equals(options.perturbGroup())) perturb(program.view(g.buffers().get(0)));
          rows.add(compare(g, first, (Step.Launch) steps.get(first), program, env, options));
        }
        for (Value v : n.inputs()) if (v != null && lastUse.getOrDefault(v, -1) == i) env.remove(v);
      }
      while (at < steps.size()) program.run(steps.get(at++)); // output copies
    }
    return new NumericsReport(options.rtol(), options.atol(), launches, rows, notCompared, (System.nanoTime() - t0) / 1e6);
  }

  private static NumericsReport.GroupResult compare(ProgramLowering.KernelGroup g, int firstStep, Step.Launch launch, NativeProgram program,
                                                    Map<Value, Object> env, Options o) {
    List<NumericsReport.ValueResult> values = new ArrayList<>();
    for (int k = 0; k < g.values().size(); k++) {
      Value v = g.values().get(k);
      if (!(v.type() instanceof TensorType t) || t.dtype() == dev.weft.bundle.DType.STRING) continue;
      Tensor want = (Tensor) env.get(v);
      Tensor got = program.view(g.buffers().get(k));
      values.add(new NumericsReport.ValueResult(v.name(), g.buffers().get(k), t.toString(), got.shape(),
          TensorDiff.of(got, want, o.rtol(), o.atol())));
    }
    return new NumericsReport.GroupResult(firstStep, g.name(), g.node().opName(), launch.nodes(), values);
  }

  /** The interpreter's results for one top-level node, run as a one-node graph on the interpreter's own values. */
  private static List<Object> reference(Interpreter interpreter, Node n, Map<Value, Object> env) {
    Graph g = new Graph(n.opName());
    Node clone = g.append(n.op(), n.location());
    List<Object> args = new ArrayList<>();
    for (Value v : n.inputs()) {
      if (v == null) {
        clone.addInput(null);
      } else {
        clone.addInput(g.addInput(g.claim(v.name()), v.type()));
        args.add(env.get(v));
      }
    }
    clone.setAttributes(n.attributes());
    for (Value v : n.outputs()) g.addOutput(clone.addOutput(g.claim(v.name()), v.type()));
    return interpreter.run(g, args);
  }

  /**
   * Marks every value read inside {@code g} (or a graph nested in it) as read at {@code at}:
   * main-graph values a branch captures must stay in the environment until its node; the
   * subgraphs' own values are marked too, harmlessly, since they never enter it.
   */
  private static void captures(Graph g, int at, Map<Value, Integer> last) {
    for (Node n : g.nodes()) {
      for (Value v : n.inputs()) if (v != null) last.put(v, at);
      for (Graph sub : n.subgraphs()) captures(sub, at, last);
    }
    for (Value v : g.outputs()) last.put(v, at);
  }

  private static Tensor copy(Tensor t) {
    Tensor c = Tensor.zeros(t.dtype(), t.shape());
    if (t.byteSize() > 0) c.data().copyFrom(t.data());
    return c;
  }

  private static void perturb(Tensor t) {
    if (t.size() == 0) return;
    double x = t.getDouble(0);
    t.setDouble(0, x + 1 + Math.abs(x));
  }

  /** Index of the last node reading each value (from inside its subgraphs too); graph outputs are never freed. */
  private static Map<Value, Integer> lastUses(Graph main) {
    Map<Value, Integer> last = new IdentityHashMap<>();
    List<Node> nodes = main.nodes();
    for (int i = 0; i < nodes.size(); i++) {
      for (Value v : nodes.get(i).inputs()) if (v != null) last.put(v, i);
      for (Graph sub : nodes.get(i).subgraphs()) captures(sub, i, last);
    }
    for (Value v : main.outputs()) last.put(v, Integer.MAX_VALUE);
    return last;
  }
}
