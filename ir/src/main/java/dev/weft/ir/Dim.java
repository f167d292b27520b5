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

  /** A static dim; small sizes are shared instances (dims are compared with equals, never ==). */
  static Dim of(long size) { return size >= 0 && size < SmallDims.CACHE.length ? SmallDims.CACHE[(int) size] : new Static(size); }

  static Dim sym(String name) { return new Symbol(name); }

  default boolean isStatic() { return this instanceof Static; }

  /** The static size; throws if symbolic. */
  default long size() {
    if (this instanceof Static s) return s.size();
    throw new IllegalStateException("dim " + this + " is symbolic");
  }
}

/** Shared instances of the sizes 0..1023, which most shapes are made of. */
final class SmallDims {
  static final Dim.Static[] CACHE = new Dim.Static[1024];

  static {
    for (int i = 0; i < CACHE.length; i++) CACHE[i] = new Dim.Static(i);
  }

  private SmallDims() {}
}
