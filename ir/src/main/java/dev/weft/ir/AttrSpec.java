package dev.weft.ir;

import java.util.Objects;

/** One attribute in an op schema: name, kind and default ({@code null} default = required). */
public record AttrSpec(String name, Attribute.Kind kind, Attribute defaultValue, boolean required) {
  public AttrSpec {
    Objects.requireNonNull(name);
    Objects.requireNonNull(kind);
    if (defaultValue != null && defaultValue.kind() != kind) {
      throw new IllegalArgumentException("default of attribute " + name + " is " + defaultValue.kind() + ", not " + kind);
    }
  }

  public static AttrSpec required(String name, Attribute.Kind kind) { return new AttrSpec(name, kind, null, true); }

  /** Optional with no default: absent means "not given" (e.g. Clip's bounds as attributes). */
  public static AttrSpec optional(String name, Attribute.Kind kind) { return new AttrSpec(name, kind, null, false); }

  public static AttrSpec withDefault(String name, Attribute value) { return new AttrSpec(name, value.kind(), value, false); }
}
