package dev.weft.compiler;

import dev.weft.bundle.DimExpr;
import dev.weft.bundle.Tensor;
import dev.weft.bundle.program.Buffer;
import dev.weft.codegen.kir.DimFit;
import dev.weft.codegen.kir.Kernel;
import dev.weft.codegen.kir.KirException;
import dev.weft.codegen.lower.GroupLowerer;
import dev.weft.ir.Constants;
import dev.weft.ir.Graph;
import dev.weft.ir.Node;
import dev.weft.ir.Value;
import dev.weft.ir.ops.FusedOp;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.IntPredicate;
import dev.weft.ir.TensorType;

/**
 * The kernels of one group that carries a range dim taken at run time: the group is lowered
 * again from each alternate graph (the same node compiled with the dim at MAX+1, MAX+2, MAX+3)
 * and every kernel is fitted against its alternates ({@link DimFit}). A kernel that cannot be
 * fitted (its form changes with the dim, a quantity that is no polynomial of it, a weight that
 * is not prefix-consistent) is a {@link SymbolicDimException} naming the group and node.
 *
 * @param kernels the fitted kernels, in the order of the lowering at MAX
 * @param temporaryDims the program shapes of the group's temporaries (the dim where they carry it)
 */
record GroupFit(List<Kernel> kernels, List<List<DimExpr>> temporaryDims) {

  /**
   * @param body the group's body lowered at MAX ({@code atMax})
   * @param tile the matmul column tile {@code atMax} was lowered with (the alternates are lowered alike)
   * @param maxLayoutInput whether body input {@code i} is a weight (or a view of one) stored at
   *     MAX: every value reads it with its MAX strides
   */
  static GroupFit of(Node n, String group, Graph main, ProgramLowering.Lift lift, Graph body, GroupLowerer.Lowered atMax, boolean gpu,
                     int tile, IntPredicate maxLayoutInput) {
    int index = main.nodes().indexOf(n);
    if (index < 0) throw refuse(lift, group, n, "it is not a node of the main graph (control flow?)");
    Set<dev.weft.codegen.kir.Buffer> maxLayout = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
    for (Map.Entry<dev.weft.codegen.kir.Buffer, Value> e : atMax.bindings().entrySet()) {
      Value v = e.getValue();
      int in = body.inputs().indexOf(v);
      boolean constant = v.producer() != null && v.producer().opName().equals(Constants.OP) && v.producer().graph() == body;
      if ((in >= 0 && maxLayoutInput.test(in)) || constant) maxLayout.add(e.getKey());
    }
    List<GroupLowerer.Lowered> all = new ArrayList<>();
    all.add(atMax);
    for (Graph alt : lift.alternates()) {
      Node m = alt.nodes().get(index);
      Graph altBody = m.opName().equals(FusedOp.OP) ? m.attrs().getGraph("body") : ProgramLowering.wrap(m);
      Map<Value, long[]> strides = strideShapes(body, altBody, maxLayoutInput);
      if (strides == null) throw refuse(lift, group, n, "its body changes structure with the dim");
      Map<Value, Tensor> constants = new IdentityHashMap<>();
      for (int i = 0; i < altBody.inputs().size() && i < m.inputCount(); i++) {
        Value outer = m.input(i);
        if (outer != null && outer.producer() != null && outer.producer().opName().equals(Constants.OP)) {
          constants.put(altBody.inputs().get(i), Constants.valueOf(outer));
        }
      }
      try {
        all.add(GroupLowerer.lower("weft_" + group, altBody, constants::get, m.describe(), true, !gpu, tile, strides::get));
      } catch (RuntimeException e) {
        throw refuse(lift, group, n, "it does not lower with the dim above MAX: " + e.getMessage());
      }
    }
    for (GroupLowerer.Lowered l : all) {
      if (l.kernels().size() != atMax.kernels().size() || l.temporaries().size() != atMax.temporaries().size()) {
        throw refuse(lift, group, n, "it lowers to a different number of kernels or temporaries at another value of the dim");
      }
    }
    long[] points = new long[DimFit.POINTS];
    for (int i = 0; i < points.length; i++) points[i] = lift.max() + i;
    ProgramLowering.Lift second = lift.second();
    List<Kernel> kernels = new ArrayList<>();
    for (int k = 0; k < atMax.kernels().size(); k++) {
      List<Kernel> versions = new ArrayList<>();
      for (GroupLowerer.Lowered l : all) versions.add(l.kernels().get(k));
      try {
        kernels.add(second == null ? DimFit.fit(versions, points, lift.min(), lift.symbol(), maxLayout)
            : DimFit.fitTwo(versions, lift.symbol(), lift.min(), lift.max(), second.symbol(), second.min(), second.max(), maxLayout));
      } catch (KirException e) {
        throw refuse(lift, group, n, e.getMessage());
      }
    }
    List<List<DimExpr>> temps = new ArrayList<>();
    for (int t = 0; t < atMax.temporaries().size(); t++) {
      long[] s0 = atMax.temporaries().get(t).shape();
      List<DimExpr> dims = new ArrayList<>(Buffer.dims(s0));
      long[] s1 = all.get(1).temporaries().get(t).shape();
      if (s1.length != s0.length) throw refuse(lift, group, n, "temporary " + t + " changes rank with the dim");
      for (int d = 0; d < s0.length; d++) if (s0[d] == lift.max() && s1[d] == lift.max() + 1) dims.set(d, DimExpr.symbol(lift.symbol()));
      if (second != null) {
        // all.get(3) is the lowering at (MAX, MAX2 + 1): TwoDimPolynomial.SAMPLES[3]
        long[] s3 = all.get(3).temporaries().get(t).shape();
        if (s3.length != s0.length) throw refuse(lift, group, n, "temporary " + t + " changes rank with the dim");
        for (int d = 0; d < s0.length; d++) {
          if (s0[d] != s3[d] && (s0[d] != second.max() || s3[d] != second.max() + 1 || !dims.get(d).isStatic())) {
            throw refuse(lift, group, n, "temporary " + t + " axis " + d + " changes with '" + second.symbol() + "' other than as that dim");
          }
          if (s0[d] != s3[d]) dims.set(d, DimExpr.symbol(second.symbol()));
        }
      }
      temps.add(dims);
    }
    return new GroupFit(kernels, temps);
  }

  /**
   * For the body lowered at another value of the dim: the MAX shapes of its weights (inputs that
   * are stored weights, constants inside it), whose strides its loads use; null when the bodies
   * differ in structure.
   */
  private static Map<Value, long[]> strideShapes(Graph body, Graph altBody, IntPredicate maxLayoutInput) {
    if (body.inputs().size() != altBody.inputs().size() || body.nodes().size() != altBody.nodes().size()) return null;
    Map<Value, long[]> out = new IdentityHashMap<>();
    for (int i = 0; i < body.inputs().size(); i++) {
      if (maxLayoutInput.test(i) && body.inputs().get(i).type() instanceof TensorType t && t.shape().isStatic()) {
        out.put(altBody.inputs().get(i), t.shape().sizes());
      }
    }
    for (int k = 0; k < body.nodes().size(); k++) {
      Node x = body.nodes().get(k);
      Node y = altBody.nodes().get(k);
      if (!x.opName().equals(y.opName()) || x.outputs().size() != y.outputs().size()) return null;
      if (x.opName().equals(Constants.OP) && x.output(0).type() instanceof TensorType t && t.shape().isStatic()) {
        out.put(y.output(0), t.shape().sizes());
      }
    }
    return out;
  }

  private static SymbolicDimException refuse(ProgramLowering.Lift lift, String group, Node n, String why) {
    ProgramLowering.Lift second = lift.second();
    String dims = second == null ? "dim '" + lift.symbol() + "' (range " + lift.min() + ".." + lift.max() + ")"
        : "dims '" + lift.symbol() + "' (range " + lift.min() + ".." + lift.max() + ") and '" + second.symbol() + "' (range " + second.min() + ".."
            + second.max() + ")";
    return new SymbolicDimException(dims + " cannot stay symbolic in group "
        + group + " (" + n.describe() + "): " + why + ". Compile with a static size, e.g. --shapes '" + lift.staticExample() + "'");
  }
}
