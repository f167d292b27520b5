package dev.weft.passes.patterns;

import dev.weft.bundle.DType;
import dev.weft.bundle.Tensor;
import dev.weft.ir.Node;
import dev.weft.ir.Value;
import dev.weft.passes.Rewrite;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * A pattern over the IR, as data: a tree of {@link Op} (a node with that op whose operands
 * match the children; commutative ops try both orders), {@link Var} (any value; one name, one
 * value), {@link Const} (a splat constant passing a test within the dtype's tolerance),
 * {@link AnyOf} (alternatives) and {@link Product} (a tree of {@code mul}, and {@code div} by a
 * constant, flattened into factors matched in any order and association, so
 * {@code 0.5*x*y}, {@code x*(y*0.5)} and {@code (x*y)/2} are one pattern).
 *
 * <p>{@link #match} returns every way the pattern matches; a {@link Match} lists the nodes it
 * consumed (its interior), which {@link Recognizer} requires to have no users outside it.
 */
public sealed interface Pat {
  /** Ops whose two operands may be swapped. */
  Set<String> COMMUTATIVE = Set.of("add", "mul", "max", "min", "and", "or", "equal");

  /** Any value; a second occurrence of the same name must be the same value. */
  record Var(String name) implements Pat {}

  /** A test on a constant's value (a double), given the constant's dtype for its tolerance. */
  @FunctionalInterface
  interface ConstTest {
    boolean test(double value, DType dtype);
  }

  /** A constant whose elements all equal one value passing {@code test}; bound under {@code name} when not null. */
  record Const(String name, String what, ConstTest test) implements Pat {}

  /**
   * A node with op {@code op} (one result) whose first operands match {@code args}; further
   * operands must be constants (reduction axes). A named Op binds its result and must be the
   * same value where the name occurs again.
   */
  record Op(String op, List<Pat> args, String name) implements Pat {
    public Op as(String n) { return new Op(op, args, n); }
  }

  record AnyOf(List<Pat> alternatives) implements Pat {}

  /** A product whose factors match {@code factors} in some order; at most one factor may be a {@link Const}. */
  record Product(List<Pat> factors) implements Pat {}

  // ---- construction ----

  static Var var(String name) { return new Var(name); }

  static Op op(String op, Pat... args) { return new Op(op, List.of(args), null); }

  static AnyOf anyOf(Pat... alts) { return new AnyOf(List.of(alts)); }

  static Product product(Pat... factors) { return new Product(List.of(factors)); }

  /** A constant equal to {@code x} within {@link #tolerance} of its dtype. */
  static Const k(double x) { return new Const(null, Double.toString(x), (v, t) -> near(v, x, t)); }

  /** Any splat constant, bound under {@code name}. */
  static Const kAny(String name) { return new Const(name, "any", (v, t) -> true); }

  /** A splat constant passing {@code test}, bound under {@code name}. */
  static Const k(String name, String what, ConstTest test) { return new Const(name, what, test); }

  /**
   * How far a constant of {@code t} may be from the exact value and still mean it: relative
   * 1e-5 for f32/f64 (exporters print 1.41421 or 0.7978846), and the rounding of narrow floats.
   */
  static double tolerance(DType t) {
    return switch (t) {
      case F16 -> 1e-3;
      case BF16 -> 8e-3;
      default -> 1e-5;
    };
  }

  static boolean near(double v, double x, DType t) {
    if (Double.isInfinite(x) || Double.isNaN(x)) return Double.compare(v, x) == 0;
    return Math.abs(v - x) <= tolerance(t) * Math.max(1e-30, Math.abs(x));
  }

  /** The one value of a splat constant (NaN when {@code v} is not one); its dtype is the value's. */
  static double splat(Value v) {
    Tensor t = Rewrite.constant(v);
    if (t == null || t.size() == 0 || t.size() > 1 << 16) return Double.NaN;
    DType d = t.dtype();
    if (d == DType.STRING || d.kind() == DType.Kind.COMPLEX) return Double.NaN;
    double first = t.getDouble(0);
    for (long i = 1; i < t.size(); i++) if (Double.compare(t.getDouble(i), first) != 0) return Double.NaN;
    return first;
  }

  // ---- matching ----

  /** Every way {@code p} matches the value {@code v}, extending {@code m}. */
  static List<Match> match(Pat p, Value v, Match m) {
    if (v == null) return List.of();
    return switch (p) {
      case Var x -> m.bindValue(x.name(), v);
      case Const c -> matchConst(c, v, m);
      case AnyOf a -> {
        List<Match> out = new ArrayList<>();
        for (Pat alt : a.alternatives()) out.addAll(match(alt, v, m));
        yield out;
      }
      case Op o -> matchOp(o, v, m);
      case Product pr -> matchProduct(pr, v, m);
    };
  }

  private static List<Match> matchConst(Const c, Value v, Match m) {
    double x = splat(v);
    if (Double.isNaN(x) || !c.test().test(x, v.tensorType().dtype())) return List.of();
    return c.name() == null ? List.of(m) : m.bindConst(c.name(), x, v);
  }

  private static List<Match> matchOp(Op o, Value v, Match m) {
    if (o.name() != null && m.value(o.name()) != null) return m.value(o.name()) == v ? List.of(m) : List.of();
    Node n = v.producer();
    if (n == null || !n.opName().equals(o.op()) || n.outputCount() != 1) return List.of();
    int k = o.args().size();
    if (n.inputCount() < k) return List.of();
    for (int i = k; i < n.inputCount(); i++) if (n.input(i) != null && Rewrite.constant(n.input(i)) == null) return List.of();
    if (!argsCouldMatch(o, n)) return List.of();
    Match base = m.consume(n);
    if (o.name() != null) base = base.bindValue(o.name(), v).getFirst();
    List<Match> out = new ArrayList<>(matchArgs(o.args(), n.inputs().subList(0, k), base));
    if (k == 2 && COMMUTATIVE.contains(o.op()) && n.input(0) != n.input(1)) {
      out.addAll(matchArgs(o.args(), List.of(n.input(1), n.input(0)), base));
    }
    return out;
  }

  /**
   * A look one level down before any match is copied: every operand op pattern must find a
   * producer of that op (in some order, for a commutative pair). Most nodes of a large graph
   * are tried as roots of patterns they do not match, and this rejects them allocation-free.
   */
  private static boolean argsCouldMatch(Op o, Node n) {
    List<Pat> a = o.args();
    if (a.size() == 2 && COMMUTATIVE.contains(o.op())) {
      return couldMatch(a.get(0), n.input(0)) && couldMatch(a.get(1), n.input(1))
          || couldMatch(a.get(0), n.input(1)) && couldMatch(a.get(1), n.input(0));
    }
    for (int i = 0; i < a.size(); i++) if (!couldMatch(a.get(i), n.input(i))) return false;
    return true;
  }

  /** False only when {@code p} cannot match {@code v} whatever is bound: an op pattern on a value another op produces. */
  private static boolean couldMatch(Pat p, Value v) {
    if (v == null) return false;
    return switch (p) {
      case Op o -> v.producer() != null && v.producer().opName().equals(o.op());
      case Product pr -> v.producer() != null && (v.producer().opName().equals("mul") || v.producer().opName().equals("div"));
      case AnyOf any -> {
        for (Pat alt : any.alternatives()) if (couldMatch(alt, v)) yield true;
        yield false;
      }
      case Var x -> true;
      case Const c -> true;
    };
  }

  /** Matches pats[i] against values[i] for all i, threading every partial match. */
  private static List<Match> matchArgs(List<Pat> pats, List<Value> values, Match m) {
    List<Match> cur = List.of(m);
    for (int i = 0; i < pats.size() && !cur.isEmpty(); i++) {
      List<Match> next = new ArrayList<>();
      for (Match c : cur) next.addAll(match(pats.get(i), values.get(i), c));
      cur = next;
    }
    return cur;
  }

  /** A factor of a flattened product: a value, or the reciprocal 1/c of a constant divisor. */
  record Factor(Value value, double reciprocal, DType dtype) {}

  private static List<Match> matchProduct(Product p, Value v, Match m) {
    Node n = v.producer();
    if (n == null || !(n.opName().equals("mul") || n.opName().equals("div"))) return List.of();
    List<Factor> leaves = new ArrayList<>();
    List<Node> muls = new ArrayList<>();
    flatten(v, true, leaves, muls);
    leaves = combineConstants(leaves);
    if (leaves.size() != p.factors().size()) return List.of();
    Match base = m;
    for (Node mul : muls) base = base.consume(mul);
    return assign(p.factors(), 0, leaves, new boolean[leaves.size()], base);
  }

  /**
   * Splits a product into its factors: a {@code mul} operand is split further when the
   * multiplication is its only use (a shared one is a factor in its own right), and
   * {@code div(a, c)} with a splat constant c contributes a and 1/c.
   */
  private static void flatten(Value v, boolean root, List<Factor> leaves, List<Node> muls) {
    Node n = v.producer();
    boolean inner = n != null && n.outputCount() == 1 && (root || (v.uses().size() == 1 && !v.uses().getFirst().isGraphOutput()));
    if (inner && n.opName().equals("mul") && n.inputCount() == 2) {
      muls.add(n);
      flatten(n.input(0), false, leaves, muls);
      flatten(n.input(1), false, leaves, muls);
      return;
    }
    if (inner && n.opName().equals("div") && n.inputCount() == 2) {
      double c = splat(n.input(1));
      if (!Double.isNaN(c) && c != 0) {
        muls.add(n);
        flatten(n.input(0), false, leaves, muls);
        leaves.add(new Factor(null, 1 / c, n.input(1).tensorType().dtype()));
        return;
      }
    }
    leaves.add(new Factor(v, Double.NaN, null));
  }

  /**
   * The factors with every constant one (a splat operand or a divisor's reciprocal) multiplied
   * into a single constant factor, so {@code x * 0.5 * c} and {@code x / 2 * c} read the same;
   * a product pattern therefore names at most one constant factor.
   */
  private static List<Factor> combineConstants(List<Factor> leaves) {
    List<Factor> out = new ArrayList<>();
    double k = 1;
    DType dt = null;
    int consts = 0;
    for (Factor f : leaves) {
      double c = f.value() == null ? f.reciprocal() : splat(f.value());
      if (Double.isNaN(c)) {
        out.add(f);
        continue;
      }
      k *= c;
      consts++;
      if (dt == null) dt = f.value() == null ? f.dtype() : f.value().tensorType().dtype();
    }
    if (consts == 0) return leaves;
    if (consts == 1) return leaves;   // keep a lone constant operand as itself, so a named Const binds its node
    out.add(new Factor(null, k, dt));
    return out;
  }

  private static List<Match> assign(List<Pat> pats, int i, List<Factor> leaves, boolean[] used, Match m) {
    if (i == pats.size()) return List.of(m);
    List<Match> out = new ArrayList<>();
    Pat p = pats.get(i);
    for (int j = 0; j < leaves.size(); j++) {
      if (used[j]) continue;
      Factor f = leaves.get(j);
      List<Match> here;
      if (f.value() != null) {
        here = match(p, f.value(), m);
      } else if (p instanceof Const c && c.test().test(f.reciprocal(), f.dtype())) {
        here = c.name() == null ? List.of(m) : m.bindConst(c.name(), f.reciprocal(), null);
      } else {
        here = List.of();
      }
      if (here.isEmpty()) continue;
      used[j] = true;
      for (Match h : here) out.addAll(assign(pats, i + 1, leaves, used, h));
      used[j] = false;
    }
    return out;
  }

  /** A readable form of the pattern, for failure messages and docs. */
  static String show(Pat p) {
    return switch (p) {
      case Var x -> x.name();
      case Const c -> c.name() != null ? c.name() : c.what();
      case AnyOf a -> "anyOf(" + String.join(" | ", a.alternatives().stream().map(Pat::show).toList()) + ")";
      case Op o -> o.op() + "(" + String.join(", ", o.args().stream().map(Pat::show).toList()) + ")";
      case Product pr -> "product(" + String.join(", ", pr.factors().stream().map(Pat::show).toList()) + ")";
    };
  }

  /** The ops a node must have to be the root of {@code p}; empty means any. */
  static Set<String> rootOps(Pat p) {
    return switch (p) {
      case Op o -> Set.of(o.op());
      case Product pr -> Set.of("mul", "div");
      case AnyOf a -> {
        java.util.TreeSet<String> s = new java.util.TreeSet<>();
        for (Pat alt : a.alternatives()) s.addAll(rootOps(alt));
        yield s;
      }
      default -> Set.of();
    };
  }
}
