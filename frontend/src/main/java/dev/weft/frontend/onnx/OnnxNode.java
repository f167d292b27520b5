package dev.weft.frontend.onnx;

import dev.weft.bundle.Tensor;
import dev.weft.frontend.onnx.proto.OnnxProto.AttributeProto;
import dev.weft.frontend.onnx.proto.OnnxProto.GraphProto;
import dev.weft.frontend.onnx.proto.OnnxProto.NodeProto;
import dev.weft.ir.Value;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One ONNX node as a handler sees it: its IR operands (null where the ONNX input name is empty
 * or beyond the list), the opset version in force, and typed attribute access with defaults.
 */
public final class OnnxNode {
  private final NodeProto proto;
  private final List<Value> inputs;
  private final long opsetVersion;
  private final ImportContext ctx;
  private final Map<String, AttributeProto> attributes = new LinkedHashMap<>();

  public OnnxNode(NodeProto proto, List<Value> inputs, long opsetVersion, ImportContext ctx) {
    this.proto = proto;
    this.inputs = new ArrayList<>(inputs);
    this.opsetVersion = opsetVersion;
    this.ctx = ctx;
    for (AttributeProto a : proto.getAttributeList()) attributes.put(a.getName(), a);
  }

  public NodeProto proto() { return proto; }

  public String name() { return proto.getName(); }

  public String opType() { return proto.getOpType(); }

  public String domain() { return OnnxOpTable.normalizeDomain(proto.getDomain()); }

  /** The opset version of this node's domain in the model. */
  public long version() { return opsetVersion; }

  public int inputCount() { return inputs.size(); }

  /** Operand i, or null when absent (empty name or past the end). */
  public Value input(int i) { return i < inputs.size() ? inputs.get(i) : null; }

  public boolean hasInput(int i) { return input(i) != null; }

  /** Operand i, or a typed error naming the node when it is absent. */
  public Value required(int i) {
    Value v = input(i);
    if (v == null) throw ctx.fail(this, "input " + i + " is required");
    return v;
  }

  public int outputCount() { return proto.getOutputCount(); }

  /** Whether output i is requested (present with a non-empty name). */
  public boolean wantsOutput(int i) { return i < proto.getOutputCount() && !proto.getOutput(i).isEmpty(); }

  public String outputName(int i) { return proto.getOutput(i); }

  public boolean hasAttr(String name) { return attributes.containsKey(name); }

  public AttributeProto attr(String name) { return attributes.get(name); }

  public long attrInt(String name, long def) {
    AttributeProto a = attributes.get(name);
    return a == null ? def : expect(a, AttributeProto.AttributeType.INT).getI();
  }

  public double attrFloat(String name, double def) {
    AttributeProto a = attributes.get(name);
    return a == null ? def : expect(a, AttributeProto.AttributeType.FLOAT).getF();
  }

  public String attrString(String name, String def) {
    AttributeProto a = attributes.get(name);
    return a == null ? def : expect(a, AttributeProto.AttributeType.STRING).getS().toString(StandardCharsets.UTF_8);
  }

  /** Ints attribute, or {@code def} (may be null) when absent. */
  public long[] attrInts(String name, long[] def) {
    AttributeProto a = attributes.get(name);
    if (a == null) return def;
    expect(a, AttributeProto.AttributeType.INTS);
    long[] out = new long[a.getIntsCount()];
    for (int i = 0; i < out.length; i++) out[i] = a.getInts(i);
    return out;
  }

  public double[] attrFloats(String name, double[] def) {
    AttributeProto a = attributes.get(name);
    if (a == null) return def;
    expect(a, AttributeProto.AttributeType.FLOATS);
    double[] out = new double[a.getFloatsCount()];
    for (int i = 0; i < out.length; i++) out[i] = a.getFloats(i);
    return out;
  }

  public List<String> attrStrings(String name, List<String> def) {
    AttributeProto a = attributes.get(name);
    if (a == null) return def;
    expect(a, AttributeProto.AttributeType.STRINGS);
    List<String> out = new ArrayList<>();
    for (var s : a.getStringsList()) out.add(s.toString(StandardCharsets.UTF_8));
    return out;
  }

  public Tensor attrTensor(String name) {
    AttributeProto a = attributes.get(name);
    return a == null ? null : ctx.tensor(expect(a, AttributeProto.AttributeType.TENSOR).getT());
  }

  public GraphProto attrGraph(String name) {
    AttributeProto a = attributes.get(name);
    if (a == null) throw ctx.fail(this, "missing graph attribute '" + name + "'");
    return expect(a, AttributeProto.AttributeType.GRAPH).getG();
  }

  /** A required attribute: a typed error naming the node when it is absent. */
  public AttributeProto requireAttr(String name) {
    AttributeProto a = attributes.get(name);
    if (a == null) throw ctx.fail(this, "missing required attribute '" + name + "'");
    return a;
  }

  private AttributeProto expect(AttributeProto a, AttributeProto.AttributeType type) {
    // Old exporters leave `type` unset; accept the attribute when the expected field is populated.
    if (a.hasType() && a.getType() != type) {
      throw ctx.fail(this, "attribute '" + a.getName() + "' is " + a.getType() + ", expected " + type);
    }
    return a;
  }

  /** Describes the node for diagnostics: op type, version and name. */
  public String describe() {
    return opType() + "-" + opsetVersion + (name().isEmpty() ? "" : " '" + name() + "'");
  }
}
