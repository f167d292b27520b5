package dev.weft.frontend.onnx;

import dev.weft.bundle.DType;
import dev.weft.frontend.onnx.proto.OnnxProto.TensorShapeProto;
import dev.weft.frontend.onnx.proto.OnnxProto.TypeProto;
import dev.weft.ir.Dim;
import dev.weft.ir.Graph;
import dev.weft.ir.OptionalType;
import dev.weft.ir.SequenceType;
import dev.weft.ir.Shape;
import dev.weft.ir.TensorType;
import dev.weft.ir.Type;
import java.util.ArrayList;
import java.util.List;

/** ONNX {@code TypeProto} to IR types: tensors, sequences and optionals (maps and sparse tensors are refused). */
public final class OnnxTypes {
  private OnnxTypes() {}

  /**
   * Converts a TypeProto; dim_param becomes a symbol, a missing dim a fresh symbol of
   * {@code symbols}' graph, a missing shape an unranked one. {@code what} prefixes errors.
   */
  public static Type typeOf(TypeProto tp, String what, Graph symbols, int depth) {
    if (depth > 64) throw new OnnxImportException(what + ": type nested too deeply");
    switch (tp.getValueCase()) {
      case TENSOR_TYPE -> {
        TypeProto.Tensor t = tp.getTensorType();
        DType d = DType.fromOnnx(t.getElemType());
        if (d == null) throw new OnnxImportException(what + ": unsupported elem_type " + t.getElemType());
        if (!t.hasShape()) return new TensorType(d, Shape.unranked());
        List<Dim> dims = new ArrayList<>();
        for (TensorShapeProto.Dimension dim : t.getShape().getDimList()) {
          if (dim.hasDimValue()) {
            if (dim.getDimValue() < 0) throw new OnnxImportException(what + ": negative dim " + dim.getDimValue());
            dims.add(Dim.of(dim.getDimValue()));
          } else if (dim.hasDimParam() && !dim.getDimParam().isEmpty()) {
            String p = dim.getDimParam();
            if (p.matches("_s\\d{1,9}")) symbols.reserveSymbols(Integer.parseInt(p.substring(2)) + 1);  // keep fresh symbols distinct
            dims.add(Dim.sym(p));
          } else {
            dims.add(symbols.freshSymbol());
          }
        }
        return new TensorType(d, new Shape(dims));
      }
      case SEQUENCE_TYPE -> {
        if (!tp.getSequenceType().hasElemType()) throw new OnnxImportException(what + ": sequence without elem_type");
        return new SequenceType(typeOf(tp.getSequenceType().getElemType(), what, symbols, depth + 1));
      }
      case OPTIONAL_TYPE -> {
        if (!tp.getOptionalType().hasElemType()) throw new OnnxImportException(what + ": optional without elem_type");
        return new OptionalType(typeOf(tp.getOptionalType().getElemType(), what, symbols, depth + 1));
      }
      case MAP_TYPE -> throw new OnnxImportException(what + ": map types are not supported");
      case SPARSE_TENSOR_TYPE -> throw new OnnxImportException(what + ": sparse tensor types are not supported");
      default -> throw new OnnxImportException(what + ": type is not set");
    }
  }
}
