package dev.weft.ir;

import java.util.List;

/**
 * A set of op definitions, found with {@link java.util.ServiceLoader}: Weft's own op tables
 * and users' custom ops register the same way.
 */
public interface OpLibrary {
  List<OpDef> ops();
}
