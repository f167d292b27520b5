package dev.weft.frontend.onnx.export;

import dev.weft.ir.Node;
import dev.weft.ir.OpDef;
import dev.weft.ir.OpRegistry;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * IR op name to export rule, one row per op, kept in one file per family. Rules for ops that
 * are not registered (yet) are harmless; a registered op without a rule is a test failure
 * ({@link #missing}), and at run time falls back to its decomposition or the dev.weft domain.
 */
public final class ExportTable {
  private static final List<ExportFamily> FAMILIES = List.of(
      new ElementwiseExport(), new ShapeExport(), new NnExport(), new ControlExport(), new IndexingExport(),
      new MiscExport());
  private static volatile ExportTable standard;

  private final TreeMap<String, ExportRule> rules = new TreeMap<>();

  public ExportTable() {}

  /** Every family's rules. */
  public static ExportTable standard() {
    ExportTable t = standard;
    if (t == null) {
      t = new ExportTable();
      for (ExportFamily f : FAMILIES) f.register(t);
      standard = t;
    }
    return t;
  }

  public ExportTable add(String irOp, ExportRule rule) {
    if (rules.putIfAbsent(irOp, rule) != null) throw new IllegalStateException("two export rules for op '" + irOp + "'");
    return this;
  }

  /** The rule for an IR op, or null. */
  public ExportRule rule(String irOp) { return rules.get(irOp); }

  public Map<String, ExportRule> rules() { return Collections.unmodifiableMap(rules); }

  /** Registered ops that have no rule, sorted. */
  public List<String> missing(OpRegistry registry) {
    TreeSet<String> out = new TreeSet<>();
    for (OpDef d : registry.all()) if (!rules.containsKey(d.name())) out.add(d.name());
    return List.copyOf(out);
  }

  /** For ops without a rule (a user's op): a composite exports its decomposition, anything else itself in dev.weft. */
  static ExportRule fallback(OpDef op) {
    if (op.decomposition() != null) return (Node n, ExportContext cx) -> cx.decompose(n);
    return (n, cx) -> cx.asWeftOp(n, "no export rule");
  }
}
