package dev.weft.ir;

/** One dimension of a shape: a known size or a named symbol (e.g. {@code batch}). */
public sealed interface Dim {
  record Static(long size) implements Dim {
    public Static {
      if (size < 0) throw new IllegalArgumentException("negative dim " + size);
    }

    @Override
    public String toString() { return Long.toString(size); }
  }

  /** A symbolic size; two dims with the same name are equal at run time. */
  record Symbol(String name) implements Dim {
    public Symbol {
      if (name == null || name.isEmpty()) throw new IllegalArgumentException("empty dim symbol");
    }

    @Override
    public String toString() { return name; }
  }

  static Dim of(long size) { return new Static(size); }

  static Dim sym(String name) { return new Symbol(name); }

  default boolean isStatic() { return this instanceof Static; }

  /** The static size; throws if symbolic. */
  default long size() {
    if (this instanceof Static s) return s.size();
    throw new IllegalStateException("dim " + this + " is symbolic");
  }
}
