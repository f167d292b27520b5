package dev.weft.ir;

import dev.weft.ir.interp.Kernel;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One op in the registry, as data: name, class (core, composite, custom), operand and result
 * arity, attribute schema, type/shape inference, reference semantics (the interpreter kernel)
 * and, for composites, the decomposition into core ops.
 */
public final class OpDef {
  /**
   * Core ops are understood by every stage; composites carry a decomposition into core ops;
   * custom ops (users' ops, and exotic imported ops such as NonMaxSuppression with no sensible
   * core decomposition) have a reference kernel only and later stages treat them as opaque.
   */
  public enum Category { CORE, COMPOSITE, CUSTOM }

  /** Unbounded (variadic) arity. */
  public static final int VARIADIC = Integer.MAX_VALUE;

  private final String name;
  private final Category category;
  private final int minInputs;
  private final int maxInputs;
  private final int minOutputs;
  private final int maxOutputs;
  private final Map<String, AttrSpec> attrs;
  private final ShapeFn infer;
  private final Kernel kernel;
  private final Decomposition decomposition;
  private final String doc;
  private final boolean hasRequired;

  private OpDef(Builder b) {
    this.name = b.name;
    this.category = b.category;
    this.minInputs = b.minInputs;
    this.maxInputs = b.maxInputs;
    this.minOutputs = b.minOutputs;
    this.maxOutputs = b.maxOutputs;
    this.attrs = Collections.unmodifiableMap(new LinkedHashMap<>(b.attrs));
    this.infer = Objects.requireNonNull(b.infer, () -> "op " + b.name + " has no shape function");
    this.kernel = b.kernel;
    this.decomposition = b.decomposition;
    this.doc = b.doc;
    this.hasRequired = attrs.values().stream().anyMatch(AttrSpec::required);
    if (category == Category.COMPOSITE && decomposition == null) {
      throw new IllegalArgumentException("composite " + name + " needs a decomposition");
    }
  }

  public String name() { return name; }

  public Category category() { return category; }

  public int minInputs() { return minInputs; }

  public int maxInputs() { return maxInputs; }

  public int minOutputs() { return minOutputs; }

  public int maxOutputs() { return maxOutputs; }

  public Map<String, AttrSpec> attrs() { return attrs; }

  public AttrSpec attr(String n) { return attrs.get(n); }

  /** Whether some attribute must be present (the verifier skips the check for the many ops with none). */
  public boolean hasRequiredAttributes() { return hasRequired; }

  public ShapeFn infer() { return infer; }

  /** Reference semantics; null when the interpreter runs the decomposition instead. */
  public Kernel kernel() { return kernel; }

  public Decomposition decomposition() { return decomposition; }

  public boolean isComposite() { return category == Category.COMPOSITE; }

  public String doc() { return doc; }

  @Override
  public String toString() { return name; }

  public static Builder core(String name) { return new Builder(name, Category.CORE); }

  public static Builder composite(String name) { return new Builder(name, Category.COMPOSITE); }

  public static Builder custom(String name) { return new Builder(name, Category.CUSTOM); }

  /** Fluent construction, so op tables read as one row per op. */
  public static final class Builder {
    private final String name;
    private final Category category;
    private int minInputs;
    private int maxInputs;
    private int minOutputs = 1;
    private int maxOutputs = 1;
    private final Map<String, AttrSpec> attrs = new LinkedHashMap<>();
    private ShapeFn infer;
    private Kernel kernel;
    private Decomposition decomposition;
    private String doc = "";

    private Builder(String name, Category category) {
      this.name = name;
      this.category = category;
    }

    public Builder inputs(int n) { return inputs(n, n); }

    public Builder inputs(int min, int max) {
      this.minInputs = min;
      this.maxInputs = max;
      return this;
    }

    public Builder outputs(int n) { return outputs(n, n); }

    public Builder outputs(int min, int max) {
      this.minOutputs = min;
      this.maxOutputs = max;
      return this;
    }

    public Builder attr(AttrSpec spec) {
      attrs.put(spec.name(), spec);
      return this;
    }

    public Builder attr(String n, Attribute defaultValue) { return attr(AttrSpec.withDefault(n, defaultValue)); }

    public Builder required(String n, Attribute.Kind kind) { return attr(AttrSpec.required(n, kind)); }

    public Builder optional(String n, Attribute.Kind kind) { return attr(AttrSpec.optional(n, kind)); }

    public Builder infer(ShapeFn f) {
      this.infer = f;
      return this;
    }

    public Builder kernel(Kernel k) {
      this.kernel = k;
      return this;
    }

    public Builder decompose(Decomposition d) {
      this.decomposition = d;
      return this;
    }

    public Builder doc(String d) {
      this.doc = d;
      return this;
    }

    public OpDef build() { return new OpDef(this); }
  }

  /** Lists attribute names, for error messages. */
  public List<String> attrNames() { return new ArrayList<>(attrs.keySet()); }
}
