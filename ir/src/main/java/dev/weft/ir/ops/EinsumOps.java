package dev.weft.ir.ops;

import dev.weft.bundle.Tensor;
import dev.weft.ir.Attribute;
import dev.weft.ir.Dim;
import dev.weft.ir.InferContext;
import dev.weft.ir.OpDef;
import dev.weft.ir.OpLibrary;
import dev.weft.ir.Shape;
import dev.weft.ir.TensorType;
import dev.weft.ir.Type;
import dev.weft.ir.interp.KernelContext;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code einsum} (custom, reference kernel): Einstein summation with an explicit or implicit
 * output, ellipsis broadcasting and repeated labels (diagonals). The kernel loops over every
 * label combination; importers lower plain matmul-shaped equations to {@code matmul} themselves.
 */
public final class EinsumOps implements OpLibrary {
  @Override
  public List<OpDef> ops() {
    return List.of(OpDef.custom("einsum").inputs(1, OpDef.VARIADIC).required("equation", Attribute.Kind.STRING)
        .infer(EinsumOps::infer).kernel(EinsumOps::kernel).build());
  }

  /** Parsed equation with ellipses expanded into upper-case labels (A, B, ...). */
  record Eq(List<String> inputs, String output) {}

  static Eq parse(String equation, int[] ranks) {
    String eq = equation.replace(" ", "");
    String lhs = eq.contains("->") ? eq.substring(0, eq.indexOf("->")) : eq;
    String[] terms = lhs.split(",", -1);
    if (terms.length != ranks.length) throw new IllegalArgumentException("equation has " + terms.length + " operands, got " + ranks.length);
    int ell = 0;
    List<String> ins = new ArrayList<>();
    for (int i = 0; i < terms.length; i++) {
      String t = terms[i];
      if (t.contains("...")) {
        int n = ranks[i] - (t.length() - 3);
        ell = Math.max(ell, n);
        ins.add(t.replace("...", ellipsis(n)));
      } else {
        if (t.length() != ranks[i]) throw new IllegalArgumentException("term '" + t + "' does not match rank " + ranks[i]);
        ins.add(t);
      }
    }
    String out;
    if (eq.contains("->")) {
      out = eq.substring(eq.indexOf("->") + 2).replace("...", ellipsis(ell));
    } else {
      Map<Character, Integer> count = new java.util.TreeMap<>();
      for (String t : ins) for (char ch : t.toCharArray()) if (Character.isLowerCase(ch)) count.merge(ch, 1, Integer::sum);
      StringBuilder sb = new StringBuilder(ellipsis(ell));
      count.forEach((ch, n) -> {
        if (n == 1) sb.append(ch);
      });
      out = sb.toString();
    }
    return new Eq(ins, out);
  }

  /** The last n ellipsis labels, right-aligned so operands broadcast. */
  private static String ellipsis(int n) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < n; i++) sb.append((char) ('Z' - n + 1 + i));
    return sb.toString();
  }

  static List<Type> infer(InferContext c) {
    int n = c.inputCount();
    int[] ranks = new int[n];
    for (int i = 0; i < n; i++) {
      if (!c.shape(i).isRanked()) return List.of(c.tensor(0).withShape(Shape.unranked()));
      ranks[i] = c.shape(i).rank();
      if (c.dtype(i) != c.dtype(0)) throw c.fail("einsum operands must share a dtype");
    }
    Eq eq;
    try {
      eq = parse(c.attrs().getString("equation"), ranks);
    } catch (IllegalArgumentException e) {
      throw c.fail(e.getMessage());
    }
    Map<Character, Dim> dims = new LinkedHashMap<>();
    for (int i = 0; i < n; i++) {
      String t = eq.inputs().get(i);
      for (int k = 0; k < t.length(); k++) {
        Dim d = c.shape(i).dim(k);
        Dim prev = dims.get(t.charAt(k));
        if (prev == null || prev.isStatic() && prev.size() == 1) dims.put(t.charAt(k), d);
      }
    }
    List<Dim> out = new ArrayList<>();
    for (char ch : eq.output().toCharArray()) {
      Dim d = dims.get(ch);
      if (d == null) throw c.fail("output label '" + ch + "' is not in any operand");
      out.add(d);
    }
    return List.of(c.tensor(0).withShape(new Shape(out)));
  }

  static Object[] kernel(KernelContext c) {
    int n = c.inputCount();
    Tensor[] ts = new Tensor[n];
    int[] ranks = new int[n];
    for (int i = 0; i < n; i++) {
      ts[i] = c.tensor(i);
      ranks[i] = ts[i].rank();
    }
    Eq eq = parse(c.attrs().getString("equation"), ranks);
    Map<Character, Long> size = new LinkedHashMap<>();
    for (int i = 0; i < n; i++) {
      String t = eq.inputs().get(i);
      for (int k = 0; k < t.length(); k++) {
        long d = ts[i].dim(k);
        Long prev = size.get(t.charAt(k));
        if (prev == null || prev == 1) size.put(t.charAt(k), d);
        else if (d != 1 && d != prev) throw c.fail("label '" + t.charAt(k) + "' has sizes " + prev + " and " + d);
      }
    }
    List<Character> labels = new ArrayList<>();
    for (char ch : eq.output().toCharArray()) labels.add(ch);
    for (char ch : size.keySet()) if (!labels.contains(ch)) labels.add(ch);
    int nl = labels.size();
    long[] lim = new long[nl];
    for (int i = 0; i < nl; i++) lim[i] = size.get(labels.get(i));
    // Per operand, the stride contributed by each label (0 when broadcast or absent).
    long[][] strides = new long[n][nl];
    double[][] vals = new double[n][];
    for (int i = 0; i < n; i++) {
      vals[i] = ts[i].toDoubleArray();
      String t = eq.inputs().get(i);
      long acc = 1;
      for (int k = t.length() - 1; k >= 0; k--) {
        int li = labels.indexOf(t.charAt(k));
        if (ts[i].dim(k) != 1) strides[i][li] += acc;
        acc *= ts[i].dim(k);
      }
    }
    int outRank = eq.output().length();
    long[] os = new long[outRank];
    for (int i = 0; i < outRank; i++) os[i] = lim[i];
    double[] out = new double[(int) Tensor.elementCount(os)];
    long total = 1;
    for (long l : lim) total *= l;
    long inner = total / Math.max(1, out.length);
    long[] idx = new long[nl];
    long[] off = new long[n];
    for (long it = 0; it < total && out.length > 0; it++) {
      double prod = 1;
      for (int i = 0; i < n; i++) prod *= vals[i][(int) off[i]];
      out[(int) (it / inner)] += prod;
      for (int d = nl - 1; d >= 0; d--) {
        idx[d]++;
        for (int i = 0; i < n; i++) off[i] += strides[i][d];
        if (idx[d] < lim[d]) break;
        for (int i = 0; i < n; i++) off[i] -= strides[i][d] * idx[d];
        idx[d] = 0;
      }
    }
    return KernelContext.one(NnSupport.fromDoubles(ts[0].dtype(), os, out));
  }

  static TensorType unused(TensorType t) { return t; }
}
