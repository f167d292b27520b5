package dev.weft.passes.simplify;

import static dev.weft.passes.simplify.Rule.of;

import dev.weft.bundle.DType;
import dev.weft.ir.Attribute;
import dev.weft.ir.Node;
import dev.weft.ir.Shape;
import dev.weft.ir.TensorType;
import dev.weft.ir.Value;
import dev.weft.passes.PassContext;
import dev.weft.passes.Rewrite;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The algebraic identities {@link Canonicalize} applies, as data: one row per rule, with the
 * identity beside it (tinygrad's {@code symbolic.py}, Graal's canonicalizations). Every rule
 * keeps the node's result type: a rewrite that would change it (x + 0 where the 0 broadcasts x
 * to a larger shape) does not match.
 *
 * <p>Deliberately absent, because they change results on special values:
 * {@code x * 0 -> 0} (NaN * 0 and inf * 0 are NaN), {@code x - x -> 0} (inf - inf is NaN),
 * {@code x / x -> 1} (0/0), {@code 1 / (1 / x) -> x} (rounding), and
 * {@code cast(cast(x, B), A) -> x} when B cannot hold every A value (a narrowing round trip).
 */
public final class CanonicalRules {
  private CanonicalRules() {}

  static final Set<String> VIEWS = Set.of("reshape", "flatten", "squeeze", "unsqueeze");
  static final Set<String> IDEMPOTENT = Set.of("abs", "relu", "floor", "ceil", "round", "sign");

  public static final List<Rule> RULES = List.of(
      of("add-zero", "x + 0 -> x, 0 + x -> x", Set.of("add"), (n, c) -> eitherSide(n, 0)),            // x + 0 -> x
      of("sub-zero", "x - 0 -> x", Set.of("sub"), (n, c) -> rightSide(n, 0)),                           // x - 0 -> x
      of("mul-one", "x * 1 -> x, 1 * x -> x", Set.of("mul"), (n, c) -> eitherSide(n, 1)),              // x * 1 -> x
      of("div-one", "x / 1 -> x", Set.of("div"), (n, c) -> rightSide(n, 1)),                            // x / 1 -> x
      of("pow-one", "x ^ 1 -> x", Set.of("pow"), (n, c) -> rightSide(n, 1)),                            // x ^ 1 -> x
      of("identity", "identity(x) -> x", Set.of("identity"), (n, c) -> same(n, n.input(0))),           // identity(x) -> x
      of("cast-same", "cast(x: T, to=T) -> x", Set.of("cast"), (n, c) -> same(n, n.input(0))),         // cast to own dtype -> x
      of("cast-roundtrip", "cast(cast(x: A, to=B), to=A) -> x when B holds every A", Set.of("cast"),   // widen then narrow back
          CanonicalRules::castRoundTrip),
      of("transpose-identity", "transpose(x, perm=[0,1,...]) -> x", Set.of("transpose"),              // identity permutation
          (n, c) -> isIdentity(perm(n)) ? same(n, n.input(0)) : null),
      of("transpose-transpose", "transpose(transpose(x, p), q) -> transpose(x, p[q])", Set.of("transpose"),
          CanonicalRules::transposeTranspose),
      of("view-noop", "reshape/squeeze/unsqueeze/flatten/broadcast(x) -> x when the type is x's", // a view that changes nothing
          Set.of("reshape", "flatten", "squeeze", "unsqueeze", "broadcast"), (n, c) -> same(n, n.input(0))),
      of("view-view", "view(view(x)) -> reshape(x, static shape)", VIEWS, CanonicalRules::viewView),     // reshape of reshape
      of("neg-neg", "-(-x) -> x", Set.of("neg"), (n, c) -> inner(n, "neg")),                            // double negation
      of("not-not", "!!x -> x", Set.of("not"), (n, c) -> inner(n, "not")),                              // double logical not
      of("idempotent", "f(f(x)) -> f(x) for abs, relu, floor, ceil, round, sign", IDEMPOTENT,          // f idempotent
          (n, c) -> producedBy(n.input(0), n.opName()) ? same(n, n.input(0)) : null),
      of("same-operands", "max(x, x) -> x, min(x, x) -> x, and(x, x) -> x, or(x, x) -> x",             // idempotent binary
          Set.of("max", "min", "and", "or"), (n, c) -> n.input(0) == n.input(1) ? same(n, n.input(0)) : null),
      of("select-same", "select(c, x, x) -> x", Set.of("select"),                                      // both branches equal
          (n, c) -> n.input(1) == n.input(2) ? same(n, n.input(1)) : null),
      of("concat-single", "concat(x) -> x", Set.of("concat"),                                          // one operand
          (n, c) -> n.inputCount() == 1 ? same(n, n.input(0)) : null));

  // ---- matchers ----

  /** {@code x} when it may stand for the node's result: equal dtype and shape (symbols included). */
  static Value same(Node n, Value x) {
    if (x == null || n.outputCount() != 1) return null;
    if (!(n.output(0).type() instanceof TensorType out) || !(x.type() instanceof TensorType in)) return null;
    if (out.dtype() != in.dtype() || !out.shape().isRanked() || !out.shape().equals(in.shape())) return null;
    return x;
  }

  /** The non-constant operand of a binary node whose other operand is a splat of {@code k}. */
  private static Value eitherSide(Node n, double k) {
    Value r = rightSide(n, k);
    if (r != null) return r;
    return n.inputCount() == 2 && Rewrite.isSplat(n.input(0), k) ? same(n, n.input(1)) : null;
  }

  private static Value rightSide(Node n, double k) {
    return n.inputCount() == 2 && Rewrite.isSplat(n.input(1), k) ? same(n, n.input(0)) : null;
  }

  private static boolean producedBy(Value v, String op) {
    return v != null && v.producer() != null && v.producer().opName().equals(op);
  }

  /** {@code f(f(x)) -> x} for an involution f. */
  private static Value inner(Node n, String op) {
    Value a = n.input(0);
    return producedBy(a, op) ? same(n, a.producer().input(0)) : null;
  }

  // ---- casts ----

  private static Value castRoundTrip(Node n, PassContext c) {
    Value mid = n.input(0);
    if (!producedBy(mid, "cast")) return null;
    Value x = mid.producer().input(0);
    if (!(x.type() instanceof TensorType xt) || !(mid.type() instanceof TensorType mt)) return null;
    return holdsExactly(xt.dtype(), mt.dtype()) ? same(n, x) : null;
  }

  /** Every value of {@code a} converts to {@code b} and back unchanged. */
  static boolean holdsExactly(DType a, DType b) {
    if (a == b) return true;
    return switch (a) {
      case BOOL -> b.isInteger() || b.isFloat();
      case F16 -> b == DType.F32 || b == DType.F64;
      case BF16 -> b == DType.F32 || b == DType.F64;
      case F32 -> b == DType.F64;
      case I8 -> b == DType.I16 || b == DType.I32 || b == DType.I64 || b == DType.F16 || b == DType.BF16 || b == DType.F32 || b == DType.F64;
      case U8 -> b == DType.I16 || b == DType.U16 || b == DType.I32 || b == DType.U32 || b == DType.I64 || b == DType.U64
          || b == DType.F16 || b == DType.BF16 || b == DType.F32 || b == DType.F64;
      case I16 -> b == DType.I32 || b == DType.I64 || b == DType.F32 || b == DType.F64;
      case U16 -> b == DType.I32 || b == DType.U32 || b == DType.I64 || b == DType.U64 || b == DType.F32 || b == DType.F64;
      case I32 -> b == DType.I64 || b == DType.F64;
      case U32 -> b == DType.I64 || b == DType.U64 || b == DType.F64;
      default -> false;
    };
  }

  // ---- transposes ----

  /** The node's permutation; the default (no attribute) reverses the dims. Null when the rank is unknown. */
  static long[] perm(Node n) {
    if (n.attribute("perm") != null) return n.attrs().getInts("perm");
    Shape s = ((TensorType) n.input(0).type()).shape();
    if (!s.isRanked()) return null;
    long[] p = new long[s.rank()];
    for (int i = 0; i < p.length; i++) p[i] = p.length - 1 - i;
    return p;
  }

  static boolean isIdentity(long[] p) {
    if (p == null) return false;
    for (int i = 0; i < p.length; i++) if (p[i] != i) return false;
    return true;
  }

  private static Value transposeTranspose(Node n, PassContext c) {
    Value mid = n.input(0);
    if (!producedBy(mid, "transpose")) return null;
    long[] q = perm(n);
    long[] p = perm(mid.producer());
    if (p == null || q == null || p.length != q.length) return null;
    long[] composed = new long[q.length];
    for (int i = 0; i < q.length; i++) composed[i] = p[(int) q[i]];   // out[i] = mid[q[i]] = x[p[q[i]]]
    Value x = mid.producer().input(0);
    if (isIdentity(composed)) return same(n, x);
    return Rewrite.before(n, c).op1("transpose", Map.of("perm", Attribute.of(composed)), x);
  }

  // ---- views ----

  /** A chain of two views collapses into one reshape when the outer result's shape is fully known. */
  private static Value viewView(Node n, PassContext c) {
    Value mid = n.input(0);
    if (mid == null || mid.producer() == null || !VIEWS.contains(mid.producer().opName())) return null;
    if (!(n.output(0).type() instanceof TensorType out) || !out.shape().isStatic()) return null;
    Value x = mid.producer().input(0);
    long[] sizes = out.shape().sizes();
    boolean zero = java.util.Arrays.stream(sizes).anyMatch(d -> d == 0);   // a 0 in the target copies a dim unless allowzero
    Value r = Rewrite.before(n, c).op1("reshape", zero
        ? Map.of("shape", Attribute.of(sizes), "allowzero", Attribute.of(1L))
        : Map.of("shape", Attribute.of(sizes)), x);
    return r.type().equals(out) ? r : null;
  }
}
