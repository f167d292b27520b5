package dev.weft.ir.ops;

import dev.weft.ir.Dim;
import dev.weft.ir.IrException;
import dev.weft.ir.Shape;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Numpy-style multidirectional broadcasting, for static shapes, symbolic shapes and indices. */
public final class Broadcast {
  private Broadcast() {}

  /** The broadcast of several shapes; symbolic dims broadcast with 1 or with themselves. */
  public static Shape shapes(List<Shape> shapes) {
    // Most elementwise ops see equal shapes: the answer is one of them (records compare by dims).
    if (!shapes.isEmpty() && shapes.get(0).isRanked()) {
      Shape first = shapes.get(0);
      boolean same = true;
      for (int i = 1; i < shapes.size() && same; i++) same = first.equals(shapes.get(i));
      if (same) return first;
    }
    int rank = 0;
    for (Shape s : shapes) {
      if (!s.isRanked()) return Shape.unranked();
      rank = Math.max(rank, s.rank());
    }
    List<Dim> out = new ArrayList<>(rank);
    for (int i = 0; i < rank; i++) {
      Dim result = null;
      for (Shape s : shapes) {
        int k = i - (rank - s.rank());
        if (k < 0) continue;
        Dim d = s.dim(k);
        result = combine(result, d, shapes);
      }
      out.add(result);
    }
    return new Shape(out);
  }

  public static Shape shapes(Shape... shapes) { return shapes(Arrays.asList(shapes)); }

  private static Dim combine(Dim acc, Dim d, List<Shape> all) {
    if (acc == null) return d;
    if (acc.equals(d)) return acc;
    if (acc.isStatic() && acc.size() == 1) return d;
    if (d.isStatic() && d.size() == 1) return acc;
    if (acc.isStatic() && d.isStatic()) {
      throw new IrException("shapes " + all + " do not broadcast");
    }
    // A symbol against a static size > 1 (or another symbol): the static size wins, the symbol
    // must equal it (or be 1) at run time, which the kernels check.
    return acc.isStatic() ? acc : d.isStatic() ? d : acc;
  }

  /** The broadcast of static shapes. */
  public static long[] sizes(long[]... shapes) {
    int rank = 0;
    for (long[] s : shapes) rank = Math.max(rank, s.length);
    long[] out = new long[rank];
    Arrays.fill(out, 1);
    for (long[] s : shapes) {
      for (int k = 0; k < s.length; k++) {
        int i = k + rank - s.length;
        if (s[k] == out[i] || s[k] == 1) continue;
        if (out[i] == 1) out[i] = s[k];
        else throw new IllegalArgumentException("shapes " + describe(shapes) + " do not broadcast");
      }
    }
    return out;
  }

  private static String describe(long[][] shapes) {
    StringBuilder sb = new StringBuilder();
    for (long[] s : shapes) sb.append(Arrays.toString(s));
    return sb.toString();
  }

  /**
   * Strides to read an operand of shape {@code in} while iterating over {@code out}: stride 0
   * on broadcast dims. Both are row-major; {@code in} is right-aligned to {@code out}.
   */
  public static long[] strides(long[] in, long[] out) {
    long[] st = new long[out.length];
    long acc = 1;
    for (int k = in.length - 1; k >= 0; k--) {
      int i = k + out.length - in.length;
      st[i] = in[k] == 1 ? 0 : acc;
      acc *= in[k];
    }
    return st;
  }

  /**
   * Maps each flat output index to the flat index of an operand. Built once per kernel call so
   * the inner loop is a table lookup; null when the operand already has the output's shape.
   */
  public static long[] indexMap(long[] in, long[] out) {
    if (Arrays.equals(in, out)) return null;
    long n = 1;
    for (long d : out) n = Math.multiplyExact(n, d);
    long[] st = strides(in, out);
    long[] map = new long[Math.toIntExact(n)];
    int rank = out.length;
    long[] idx = new long[rank];
    long off = 0;
    for (int f = 0; f < map.length; f++) {
      map[f] = off;
      for (int d = rank - 1; d >= 0; d--) {
        idx[d]++;
        off += st[d];
        if (idx[d] < out[d]) break;
        off -= st[d] * idx[d];
        idx[d] = 0;
      }
    }
    return map;
  }
}
