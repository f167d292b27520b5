package dev.weft.codegen.lower;

/**
 * A set of op lowerings, found through {@link java.util.ServiceLoader} (list implementations in
 * {@code META-INF/services/dev.weft.codegen.lower.LoweringLibrary}), so a custom op's kernel
 * is added by adding a library, as its {@code OpDef} is.
 */
public interface LoweringLibrary {
  void register(LoweringTable table);
}
