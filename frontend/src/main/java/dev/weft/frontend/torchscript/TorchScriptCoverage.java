package dev.weft.frontend.torchscript;

import dev.weft.frontend.torchscript.lower.AtenTable;
import dev.weft.frontend.torchscript.lower.Classes;
import dev.weft.frontend.torchscript.source.Ast.*;
import dev.weft.frontend.torchscript.source.SourceParser;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The up-front op census of an archive's code: every {@code torch.X}, {@code ops.aten.X} and
 * {@code ops.prim.X} call in every code file, whether the aten signature table covers it, and
 * where it is used ({@code code/file.py:line:col}). Used by {@code weft inspect model.pt --ops}.
 */
public final class TorchScriptCoverage {
  /** One op as used by the code. */
  public record Entry(String op, boolean supported, List<String> uses) {
    public String describe() {
      return op + (supported ? "  ok" : "  UNSUPPORTED") + "  (" + uses.size() + " use" + (uses.size() == 1 ? "" : "s") + ": "
          + String.join(", ", uses.subList(0, Math.min(5, uses.size()))) + (uses.size() > 5 ? ", ..." : "") + ")";
    }
  }

  /** The census, sorted by op name. */
  public record Report(List<Entry> entries) {
    public List<Entry> unsupported() { return entries.stream().filter(e -> !e.supported()).toList(); }

    public boolean fullySupported() { return unsupported().isEmpty(); }

    public String format() {
      StringBuilder sb = new StringBuilder();
      for (Entry e : entries) sb.append(e.describe()).append('\n');
      return sb.toString();
    }
  }

  private TorchScriptCoverage() {}

  public static Report scan(TorchArchive archive) { return scan(archive.code()); }

  public static Report scan(SortedMap<String, String> code) {
    Map<String, SourceFile> files = new Classes(code, new SourceParser()).all();
    TreeMap<String, Entry> out = new TreeMap<>();
    for (Map.Entry<String, SourceFile> f : files.entrySet()) {
      for (Stmt s : f.getValue().body()) stmt(s, "code/" + f.getKey(), out);
    }
    return new Report(List.copyOf(out.values()));
  }

  private static void stmt(Stmt s, String file, Map<String, Entry> out) {
    switch (s) {
      case Assign a -> {
        a.targets().forEach(t -> expr(t, file, out));
        expr(a.value(), file, out);
      }
      case AugAssign a -> expr(a.value(), file, out);
      case AnnAssign a -> expr(a.value(), file, out);
      case ExprStmt e -> expr(e.value(), file, out);
      case Return r -> expr(r.value(), file, out);
      case Raise r -> expr(r.exception(), file, out);
      case Assert a -> expr(a.test(), file, out);
      case If i -> {
        expr(i.test(), file, out);
        i.body().forEach(x -> stmt(x, file, out));
        i.orElse().forEach(x -> stmt(x, file, out));
      }
      case For f -> {
        expr(f.iter(), file, out);
        f.body().forEach(x -> stmt(x, file, out));
      }
      case While w -> {
        expr(w.test(), file, out);
        w.body().forEach(x -> stmt(x, file, out));
      }
      case FunctionDef d -> d.body().forEach(x -> stmt(x, file, out));
      case ClassDef c -> c.body().forEach(x -> stmt(x, file, out));
      default -> { }
    }
  }

  private static void expr(Expr e, String file, Map<String, Entry> out) {
    if (e == null) return;
    switch (e) {
      case Call c -> {
        String op = opName(c.func());
        if (op != null) {
          boolean ok = op.startsWith("aten::") ? AtenTable.names().contains(op.substring(6))
              : AtenTable.PRIMS.contains(op.substring(6));
          out.computeIfAbsent(op, k -> new Entry(k, ok, new ArrayList<>())).uses().add(file + ":" + c.pos());
        } else {
          expr(c.func(), file, out);
        }
        c.args().forEach(x -> expr(x, file, out));
        c.keywords().forEach(k -> expr(k.value(), file, out));
      }
      case Attribute a -> expr(a.value(), file, out);
      case Subscript s -> {
        expr(s.value(), file, out);
        expr(s.index(), file, out);
      }
      case Slice s -> {
        expr(s.lower(), file, out);
        expr(s.upper(), file, out);
        expr(s.step(), file, out);
      }
      case ListExpr l -> l.items().forEach(x -> expr(x, file, out));
      case TupleExpr t -> t.items().forEach(x -> expr(x, file, out));
      case DictExpr d -> {
        d.keys().forEach(x -> expr(x, file, out));
        d.values().forEach(x -> expr(x, file, out));
      }
      case Unary u -> expr(u.operand(), file, out);
      case Binary b -> {
        expr(b.left(), file, out);
        expr(b.right(), file, out);
      }
      case Compare c -> c.operands().forEach(x -> expr(x, file, out));
      case BoolOp b -> b.values().forEach(x -> expr(x, file, out));
      case Not n -> expr(n.operand(), file, out);
      case IfExp i -> {
        expr(i.test(), file, out);
        expr(i.body(), file, out);
        expr(i.orElse(), file, out);
      }
      default -> { }
    }
  }

  /** {@code aten::X} for torch.X / ops.aten.X, {@code prim::X} for ops.prim.X, else null. */
  static String opName(Expr func) {
    if (!(func instanceof Attribute a)) return null;
    if (a.value() instanceof Name n && n.id().equals("torch")) return "aten::" + a.name();
    if (a.value() instanceof Attribute ns && ns.value() instanceof Name ops && ops.id().equals("ops")) {
      if (ns.name().equals("aten")) return "aten::" + a.name();
      if (ns.name().equals("prim")) return "prim::" + a.name();
    }
    return null;
  }
}
