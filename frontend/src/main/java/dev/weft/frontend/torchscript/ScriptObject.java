package dev.weft.frontend.torchscript;

import java.util.LinkedHashMap;
import java.util.Optional;

/**
 * A TorchScript object (module or class instance) from {@code data.pkl}: its qualified class name,
 * e.g. {@code __torch__.torch.nn.modules.linear.Linear} or {@code __torch__.___torch_mangle_3.Model},
 * and its attributes in pickled order (parameters, buffers, submodules, {@code training}, ...).
 *
 * <p>A class with a custom {@code __getstate__} pickles a state that is not an attribute dict; it
 * is kept whole under {@link #SETSTATE_KEY} (the argument its {@code __setstate__} would get).
 */
public record ScriptObject(String className, LinkedHashMap<String, Object> attributes) {
  /** Attribute key holding a non-dict state passed to {@code __setstate__}. */
  public static final String SETSTATE_KEY = "__setstate__";

  /** The attribute, if present. */
  public Optional<Object> attr(String name) { return Optional.ofNullable(attributes.get(name)); }

  /** The class name without its module, e.g. {@code Linear}. */
  public String simpleName() {
    int dot = className.lastIndexOf('.');
    return dot < 0 ? className : className.substring(dot + 1);
  }

  @Override
  public String toString() { return "ScriptObject[" + className + ", " + attributes.keySet() + "]"; }
}
