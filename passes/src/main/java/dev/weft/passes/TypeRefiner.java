package dev.weft.passes;

import dev.weft.ir.Dim;
import dev.weft.ir.Graph;
import dev.weft.ir.InferContext;
import dev.weft.ir.Node;
import dev.weft.ir.Shape;
import dev.weft.ir.TensorType;
import dev.weft.ir.Type;
import dev.weft.ir.Value;
import java.util.ArrayList;
import java.util.List;

/**
 * Re-runs shape inference over a graph (schedule order, subgraphs included) and records what
 * it learned: a dim that was symbolic and is now known, a fresh symbol now tied to a named
 * one, a rank that was unknown. It never loses information (a static dim stays; a named symbol
 * is kept unless a size replaces it) and never
 * changes a dtype, so the recorded types stay compatible with what the verifier infers.
 * Passes that turn operands into constants (shape folding) run it so the sizes flow on.
 */
public final class TypeRefiner {
  private TypeRefiner() {}

  /** Refines every node's result types; returns how many values got a more precise type. */
  public static int refine(Graph main) {
    int changed = 0;
    for (Graph g : Rewrite.allGraphs(main)) {
      for (Node n : new ArrayList<>(g.nodes())) {
        List<Type> inferred;
        try {
          inferred = n.op().infer().infer(new InferContext(n));
        } catch (RuntimeException e) {
          continue;   // the verifier reports real problems; refinement only adds facts
        }
        if (inferred.size() != n.outputCount()) continue;
        for (int i = 0; i < inferred.size(); i++) {
          Value v = n.output(i);
          Type merged = merge(v.type(), inferred.get(i));
          if (merged != null) {
            v.setType(merged);
            changed++;
          }
        }
      }
    }
    return changed;
  }

  /** A symbol drawn by inference for an unknown size ({@code _sN}), as opposed to a model's named dim. */
  public static boolean isFresh(Dim d) {
    if (!(d instanceof Dim.Symbol s)) return false;
    String n = s.name();
    if (n.length() < 3 || !n.startsWith("_s")) return false;
    for (int i = 2; i < n.length(); i++) if (!Character.isDigit(n.charAt(i))) return false;
    return true;
  }

  /**
   * The more precise of two descriptions of one value, or null when {@code inferred} adds
   * nothing: a size beats a symbol, and a named symbol beats a fresh one (inference tied the
   * dim to a named one, e.g. a reshape that copies {@code batch}).
   */
  public static Type merge(Type recorded, Type inferred) {
    if (!(recorded instanceof TensorType r) || !(inferred instanceof TensorType f)) return null;
    if (r.dtype() != f.dtype()) return null;
    Shape rs = r.shape();
    Shape fs = f.shape();
    if (!fs.isRanked()) return null;
    if (!rs.isRanked()) return r.withShape(fs);
    if (rs.rank() != fs.rank()) return null;
    List<Dim> out = new ArrayList<>(rs.rank());
    boolean better = false;
    for (int i = 0; i < rs.rank(); i++) {
      Dim a = rs.dim(i);
      Dim b = fs.dim(i);
      if (a.isStatic()) {
        if (b.isStatic() && a.size() != b.size()) return null;   // a contradiction is the verifier's to report
        out.add(a);
      } else if (b.isStatic()) {
        out.add(b);
        better = true;
      } else if (isFresh(a) && !isFresh(b)) {
        out.add(b);
        better = true;
      } else {
        out.add(a);
      }
    }
    return better ? r.withShape(new Shape(out)) : null;
  }
}
