package dev.weft.frontend.onnx;

import com.google.protobuf.ByteString;
import dev.weft.frontend.onnx.proto.OnnxProto.AttributeProto;
import dev.weft.frontend.onnx.proto.OnnxProto.GraphProto;
import dev.weft.frontend.onnx.proto.OnnxProto.ModelProto;
import dev.weft.frontend.onnx.proto.OnnxProto.NodeProto;
import dev.weft.frontend.onnx.proto.OnnxProto.OperatorSetIdProto;
import dev.weft.frontend.onnx.proto.OnnxProto.TensorProto;
import dev.weft.frontend.onnx.proto.OnnxProto.TensorShapeProto;
import dev.weft.frontend.onnx.proto.OnnxProto.TypeProto;
import dev.weft.frontend.onnx.proto.OnnxProto.ValueInfoProto;
import java.util.List;

/** Small builders for hand-made ONNX protos in tests. */
final class Protos {
  private Protos() {}

  static TensorProto.Builder tensor(String name, int dataType, long... dims) {
    TensorProto.Builder b = TensorProto.newBuilder().setName(name).setDataType(dataType);
    for (long d : dims) b.addDims(d);
    return b;
  }

  static ByteString bytes(int... b) {
    byte[] out = new byte[b.length];
    for (int i = 0; i < b.length; i++) out[i] = (byte) b[i];
    return ByteString.copyFrom(out);
  }

  /** A tensor value-info; dims are sizes, or a String for a dim_param, or null for an unknown dim. */
  static ValueInfoProto tensorInfo(String name, int elemType, Object... dims) {
    TensorShapeProto.Builder s = TensorShapeProto.newBuilder();
    for (Object d : dims) {
      TensorShapeProto.Dimension.Builder db = TensorShapeProto.Dimension.newBuilder();
      if (d instanceof Number n) db.setDimValue(n.longValue());
      else if (d instanceof String p) db.setDimParam(p);
      s.addDim(db);
    }
    TypeProto t = TypeProto.newBuilder().setTensorType(TypeProto.Tensor.newBuilder().setElemType(elemType).setShape(s)).build();
    return ValueInfoProto.newBuilder().setName(name).setType(t).build();
  }

  static NodeProto node(String name, String op, List<String> in, List<String> out, AttributeProto... attrs) {
    NodeProto.Builder b = NodeProto.newBuilder().setName(name).setOpType(op).addAllInput(in).addAllOutput(out);
    for (AttributeProto a : attrs) b.addAttribute(a);
    return b.build();
  }

  static AttributeProto tensorAttr(String name, TensorProto t) {
    return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.TENSOR).setT(t).build();
  }

  static AttributeProto graphAttr(String name, GraphProto g) {
    return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.GRAPH).setG(g).build();
  }

  static ModelProto model(GraphProto g, long opset) {
    return ModelProto.newBuilder().setIrVersion(8).setProducerName("weft-test").setGraph(g)
        .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(opset)).build();
  }

  static OnnxModel onnx(ModelProto m) { return new OnnxModel(m, "test.onnx", null); }
}
