package dev.weft.codegen.kir;

/**
 * A run-time trip count of the form {@code coef * dim^power} ({@code power >= 1}), as the
 * extents of a dim's axes are ({@code n}, {@code 12*n}, {@code n*n}): the form a launch extent
 * takes in a program ({@code "12*s*s"}), so work can be split over exactly the valid items.
 */
public record Monomial(long coef, int power, String symbol, long slot) {
  /** {@code e} as a monomial of one dim, or null when it is not one. */
  public static Monomial of(Expr e) {
    return switch (e.kind()) {
      case DIM -> new Monomial(1, 1, e.name(), e.longValue());
      case BINARY -> {
        if (e.binary() != BinaryOp.MUL) yield null;
        if (e.a().isConst() && !e.a().type().isFloat()) yield scale(of(e.b()), e.a().longValue());
        if (e.b().isConst() && !e.b().type().isFloat()) yield scale(of(e.a()), e.b().longValue());
        Monomial x = of(e.a());
        Monomial y = of(e.b());
        if (x == null || y == null || x.slot != y.slot) yield null;
        yield new Monomial(Math.multiplyExact(x.coef, y.coef), x.power + y.power, x.symbol, x.slot);
      }
      default -> null;
    };
  }

  private static Monomial scale(Monomial m, long c) {
    if (m == null || c <= 0) return null;
    return new Monomial(Math.multiplyExact(m.coef, c), m.power, m.symbol, m.slot);
  }
}
