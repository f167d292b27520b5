package dev.weft.frontend.onnx;

import dev.weft.bundle.DType;
import dev.weft.bundle.Tensor;
import dev.weft.frontend.onnx.proto.OnnxProto;
import dev.weft.ir.Graph;
import dev.weft.ir.GraphBuilder;
import dev.weft.ir.Type;
import dev.weft.ir.Value;
import java.util.List;

/** What an {@link OnnxOpHandler} may use while lowering a node. */
public interface ImportContext {
  /** Builder positioned in the current graph, stamped with the node's location. */
  GraphBuilder builder();

  /** The model's opset version for a domain ("" = default ONNX domain); 0 if not imported. */
  long opset(String domain);

  /** The value of a compile-time constant (initializer or Constant output), else null. */
  Tensor constantValue(Value v);

  /** A new {@code constant} node holding {@code t}. */
  Value constant(Tensor t);

  /** An i64 1-D constant (or a scalar when {@code scalar}) — shapes, axes, indices. */
  Value constI64(long... values);

  /** A scalar constant of the given dtype. */
  Value scalar(DType dtype, double value);

  /**
   * Imports a subgraph attribute (If branch, Loop/Scan body) as an IR graph whose inputs have
   * the given types (null entries: take the types declared in the GraphProto). The subgraph may
   * use every value visible at this node.
   */
  Graph subgraph(OnnxProto.GraphProto g, List<Type> inputTypes);

  /** Decodes a TensorProto held in an attribute (resolving external data safely). */
  Tensor tensor(OnnxProto.TensorProto t);

  /** Densifies a SparseTensorProto held in an attribute (Constant's sparse_value), within the memory budget. */
  Tensor sparseTensor(OnnxProto.SparseTensorProto t);

  /** A typed error naming the model file, the node and the given detail. */
  OnnxImportException fail(OnnxNode node, String detail);
}
