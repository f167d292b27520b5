package dev.weft.bundle.manifest;

import java.util.Objects;
import java.util.Map;
import java.util.TreeMap;

/**
 * One shape profile ({@code --shapes 'input_ids=1x1..512'}): a range for each symbolic dim.
 * The memory plan is sized for the largest profile; an input binding fits the bundle when some
 * profile contains every bound dim.
 */
public record ShapeProfile(String name, Map<String, DimRange> dims) {
  public ShapeProfile {
    Objects.requireNonNull(name, "name");
    dims = java.util.Collections.unmodifiableSortedMap(new TreeMap<>(dims));
  }
}
