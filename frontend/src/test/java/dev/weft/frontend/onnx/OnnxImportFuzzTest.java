package dev.weft.frontend.onnx;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.weft.bundle.WeftException;
import dev.weft.frontend.onnx.proto.OnnxProto.AttributeProto;
import dev.weft.frontend.onnx.proto.OnnxProto.GraphProto;
import dev.weft.frontend.onnx.proto.OnnxProto.ModelProto;
import dev.weft.frontend.onnx.proto.OnnxProto.NodeProto;
import dev.weft.frontend.onnx.proto.OnnxProto.OperatorSetIdProto;
import dev.weft.frontend.onnx.proto.OnnxProto.TensorProto;
import dev.weft.frontend.onnx.proto.OnnxProto.TensorShapeProto;
import dev.weft.frontend.onnx.proto.OnnxProto.TypeProto;
import dev.weft.frontend.onnx.proto.OnnxProto.ValueInfoProto;
import dev.weft.ir.Module;
import dev.weft.ir.Verifier;
import java.util.ArrayList;
import java.util.List;

/**
 * Fuzzes the ONNX reader and importer with arbitrary bytes: only typed errors
 * ({@link WeftException}) may escape; an NPE, index error, stack overflow or OOM fails. The seeds
 * and every crasher found are in src/test/resources/dev/weft/frontend/onnx/OnnxImportFuzzTestInputs
 * and replay in a plain {@code mvn test}; {@code JAZZER_FUZZ=1} fuzzes (see RELIABILITY.md).
 * {@code readAndImport} mutates serialized models; {@code structured} builds well-formed models
 * of random supported ops, operands, attributes and input types, which reach the op handlers
 * and shape functions that byte mutation rarely gets past the protobuf parser to.
 */
class OnnxImportFuzzTest {
  /** Small budget: a fuzzed model may legitimately declare huge tensors; they must be refused, not allocated. */
  private static final OnnxImporter.Options OPTIONS = OnnxImporter.Options.defaults().withMemoryBudget(64L << 20);
  /**
   * {@code -Dweft.fuzz.strict=true}: also fail on an untyped exception that the importer wrapped
   * as "internal error while lowering" (a handler bug the user sees as a typed error).
   */
  private static final boolean STRICT = Boolean.getBoolean("weft.fuzz.strict");

  @FuzzTest(maxDuration = "3m")
  void readAndImport(byte[] data) {
    Module m;
    try {
      m = OnnxImporter.importModel(OnnxModelReader.read(data, "fuzz.onnx"), OPTIONS);
    } catch (WeftException e) {
      if (STRICT && e.getCause() instanceof RuntimeException r && !(r instanceof WeftException)) throw r;
      return;
    }
    try {
      new Verifier().verify(m);
    } catch (WeftException e) {
      // A verifier complaint about an imported module is typed; the fuzz target only hunts untyped failures.
    }
  }

  private static final List<String> OPS = OnnxOpTable.standard().summary().keySet().stream().sorted().toList();
  private static final int[] DTYPES = {1, 7, 6, 9, 10, 11, 2, 3, 8, 16};
  private static final String[] ATTRS = {"axis", "axes", "perm", "shape", "starts", "ends", "keepdims", "to", "mode",
    "value", "split", "pads", "kernel_shape", "strides", "dilations", "group", "epsilon", "alpha", "beta", "transA",
    "transB", "num_outputs", "direction", "hidden_size", "k", "largest", "sorted", "blocksize", "output_padding",
    "auto_pad", "ceil_mode", "count_include_pad", "select_last_index", "exclusive", "reverse", "equation", "dtype",
    "batch_dims", "reduction", "coordinate_transformation_mode", "nearest_mode", "scales", "sizes", "size", "p",
    "start", "end", "upper", "periodic", "onesided", "center_point_box", "layout", "block_size", "saturate"};

  @FuzzTest(maxDuration = "3m")
  void structured(FuzzedDataProvider data) {
    long opset = data.consumeLong(1, 23);
    GraphProto.Builder g = GraphProto.newBuilder().setName("g");
    List<String> names = new ArrayList<>();
    int inputs = data.consumeInt(0, 3);
    for (int i = 0; i < inputs; i++) {
      String n = "x" + i;
      TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
      int rank = data.consumeInt(0, 4);
      for (int d = 0; d < rank; d++) {
        TensorShapeProto.Dimension.Builder db = TensorShapeProto.Dimension.newBuilder();
        if (data.consumeInt(0, 5) == 0) db.setDimParam(data.pickValue(new String[] {"n", "m", "_s0"}));
        else db.setDimValue(data.consumeLong(-1, 6));
        shape.addDim(db);
      }
      TypeProto.Tensor.Builder tt = TypeProto.Tensor.newBuilder().setElemType(data.pickValue(DTYPES));
      if (data.consumeInt(0, 7) != 0) tt.setShape(shape);
      g.addInput(ValueInfoProto.newBuilder().setName(n).setType(TypeProto.newBuilder().setTensorType(tt)));
      names.add(n);
    }
    int inits = data.consumeInt(0, 3);
    for (int i = 0; i < inits; i++) {
      String n = "c" + i;
      g.addInitializer(tensor(data, n));
      names.add(n);
    }
    int nodes = data.consumeInt(1, 4);
    for (int i = 0; i < nodes; i++) {
      String[] op = data.pickValue(OPS).split("::", 2);
      NodeProto.Builder nb = NodeProto.newBuilder().setName("n" + i).setDomain(op[0]).setOpType(op[1]);
      int k = data.consumeInt(0, 5);
      for (int j = 0; j < k; j++) nb.addInput(names.isEmpty() || data.consumeInt(0, 6) == 0 ? "" : data.pickValue(names));
      int attrs = data.consumeInt(0, 4);
      for (int j = 0; j < attrs; j++) nb.addAttribute(attribute(data, data.pickValue(ATTRS)));
      int outs = data.consumeInt(1, 3);
      for (int j = 0; j < outs; j++) nb.addOutput("n" + i + "_" + j);
      g.addNode(nb);
      names.add("n" + i + "_0");
    }
    g.addOutput(ValueInfoProto.newBuilder().setName(names.get(names.size() - 1)));
    ModelProto.Builder m = ModelProto.newBuilder().setIrVersion(8).setGraph(g)
        .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(opset))
        .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("com.microsoft").setVersion(1))
        .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("ai.onnx.ml").setVersion(data.consumeLong(1, 5)));
    readAndImport(m.build().toByteArray());
  }

  private static TensorProto tensor(FuzzedDataProvider data, String name) {
    TensorProto.Builder t = TensorProto.newBuilder().setName(name);
    if (data.consumeBoolean()) {
      t.setDataType(7);
      long[] v = new long[data.consumeInt(0, 4)];
      for (int i = 0; i < v.length; i++) v[i] = data.consumeBoolean() ? data.consumeLong(-3, 6) : data.consumeLong();
      if (data.consumeInt(0, 3) != 0) t.addDims(v.length);
      for (long x : v) t.addInt64Data(x);
    } else {
      t.setDataType(1);
      int n = data.consumeInt(0, 6);
      t.addDims(n);
      for (int i = 0; i < n; i++) t.addFloatData(data.consumeFloat());
    }
    return t.build();
  }

  private static AttributeProto attribute(FuzzedDataProvider data, String name) {
    AttributeProto.Builder a = AttributeProto.newBuilder().setName(name);
    switch (data.consumeInt(0, 4)) {
      case 0 -> a.setType(AttributeProto.AttributeType.INT).setI(data.consumeBoolean() ? data.consumeLong(-4, 8) : data.consumeLong());
      case 1 -> {
        a.setType(AttributeProto.AttributeType.INTS);
        int n = data.consumeInt(0, 6);
        for (int i = 0; i < n; i++) a.addInts(data.consumeBoolean() ? data.consumeLong(-4, 8) : data.consumeLong());
      }
      case 2 -> a.setType(AttributeProto.AttributeType.FLOAT).setF(data.consumeFloat());
      case 3 -> a.setType(AttributeProto.AttributeType.STRING)
          .setS(com.google.protobuf.ByteString.copyFromUtf8(data.consumeString(12)));
      default -> a.setType(AttributeProto.AttributeType.TENSOR).setT(tensor(data, ""));
    }
    return a.build();
  }
}
