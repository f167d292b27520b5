package dev.weft.codegen.target;

import java.util.List;

/**
 * A backend module's entry in {@code META-INF/services/dev.weft.codegen.target.TargetProvider}:
 * the target names it serves and a factory for each. A hardware team adds a target by adding a
 * module with one of these, without editing codegen.
 */
public interface TargetProvider {
  /** Names this provider creates, e.g. "cuda:sm_80". */
  List<String> names();

  /** The target for one of {@link #names()}. */
  Target create(String name);
}
