package dev.weft.passes;

import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * A registry entry: the pass name, one line saying what it does, the options it accepts
 * (name to description; a pipeline entry naming another option is an error) and the factory
 * that builds the pass from its options.
 */
public record PassInfo(String name, String description, Map<String, String> options, Function<PassOptions, Pass> factory) {
  public PassInfo {
    Objects.requireNonNull(name);
    Objects.requireNonNull(description);
    options = Map.copyOf(options);
    Objects.requireNonNull(factory);
    if (!name.matches("[a-z][a-z0-9-]*")) throw new IllegalArgumentException("pass name '" + name + "' must be kebab-case");
  }

  public static PassInfo of(String name, String description, Function<PassOptions, Pass> factory) {
    return new PassInfo(name, description, Map.of(), factory);
  }

  /** Options sorted by name, for help texts. */
  public Map<String, String> sortedOptions() { return new TreeMap<>(options); }
}
