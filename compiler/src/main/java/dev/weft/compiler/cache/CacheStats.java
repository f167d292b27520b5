package dev.weft.compiler.cache;

/**
 * What one kernel build asked of the cache: entries found, entries compiled and stored, and
 * entries found damaged (counted as misses too, and rewritten).
 */
public record CacheStats(int hits, int misses, int corrupt) {
  public static final CacheStats NONE = new CacheStats(0, 0, 0);

  public CacheStats plus(CacheStats o) { return new CacheStats(hits + o.hits, misses + o.misses, corrupt + o.corrupt); }

  @Override public String toString() { return hits + " hits, " + misses + " misses" + (corrupt > 0 ? ", " + corrupt + " corrupt" : ""); }
}
