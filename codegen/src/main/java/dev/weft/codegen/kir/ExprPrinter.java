package dev.weft.codegen.kir;

import java.util.IdentityHashMap;
import java.util.Map;

/**
 * Text form of kernels for reproducers and test failures: shared subexpressions are printed
 * once as {@code tN = ...} lines, so a DAG prints in linear size.
 */
public final class ExprPrinter {
  private final StringBuilder lets = new StringBuilder();
  private final Map<Expr, String> names = new IdentityHashMap<>();
  private final Map<Expr, Integer> uses = new IdentityHashMap<>();

  private ExprPrinter() {}

  public static String print(Expr e) {
    ExprPrinter p = new ExprPrinter();
    p.count(e);
    String body = p.text(e);
    return p.lets + body;
  }

  public static String print(Kernel k) {
    ExprPrinter p = new ExprPrinter();
    for (Kernel.Store s : k.stores()) {
      p.count(s.index());
      p.count(s.value());
      p.count(s.guard());
    }
    StringBuilder out = new StringBuilder("kernel " + k.name() + " (" + k.source() + ")\n  params " + k.params() + "\n");
    for (int i = 0; i < k.loops().size(); i++) {
      Kernel.Loop l = k.loops().get(i);
      out.append("  ").append(i < k.parallelLoops() ? "parallel " : "for ").append(l.var().name()).append(" < ").append(l.extent())
          .append(l.limit() == null ? "" : " (runs " + new ExprPrinter().text(l.limit()) + ")").append('\n');
    }
    StringBuilder stores = new StringBuilder();
    for (Kernel.Store s : k.stores()) {
      stores.append("  ");
      if (s.guard() != null) stores.append("if ").append(p.text(s.guard())).append(": ");
      stores.append(s.buffer().name()).append('[').append(p.text(s.index())).append("] = ").append(p.text(s.value())).append('\n');
    }
    return out.append(p.lets.toString().indent(2)).append(stores).toString();
  }

  private void count(Expr e) {
    if (e == null) return;
    int n = uses.merge(e, 1, Integer::sum);
    if (n > 1) return;
    count(e.a);
    count(e.b);
    count(e.c);
  }

  private String text(Expr e) {
    String have = names.get(e);
    if (have != null) return have;
    String t = switch (e.kind) {
      case CONST -> e.type.isFloat() ? Double.toString(e.constant) : Long.toString(e.id);
      case VAR -> e.name;
      case LOAD -> e.buffer.name() + "[" + text(e.a) + "]";
      case UNARY -> e.op.toString().toLowerCase() + "(" + text(e.a) + ")";
      case BINARY -> e.op.toString().toLowerCase() + "(" + text(e.a) + ", " + text(e.b) + ")";
      case SELECT -> "select(" + text(e.a) + ", " + text(e.b) + ", " + text(e.c) + ")";
      case CAST -> e.type.textName() + "(" + text(e.a) + ")";
      case REDUCE -> e.op.toString().toLowerCase() + "_" + e.var.name + "<" + (e.b == null ? Long.toString(e.extent) : text(e.b) + "<=" + e.extent)
          + ">(" + text(e.a) + ")";
      case DIM -> "$" + e.name;
    };
    if (uses.getOrDefault(e, 0) > 1 && e.kind != Expr.Kind.CONST && e.kind != Expr.Kind.VAR) {
      String name = "t" + names.size();
      lets.append(name).append(" = ").append(t).append('\n');
      names.put(e, name);
      return name;
    }
    return t;
  }
}
