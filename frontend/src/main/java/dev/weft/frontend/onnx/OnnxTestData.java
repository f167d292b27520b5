package dev.weft.frontend.onnx;

import dev.weft.bundle.Tensor;
import dev.weft.frontend.onnx.proto.OnnxProto.OptionalProto;
import dev.weft.frontend.onnx.proto.OnnxProto.SequenceProto;
import dev.weft.frontend.onnx.proto.OnnxProto.TensorProto;
import dev.weft.frontend.onnx.proto.OnnxProto.TypeProto;
import dev.weft.ir.interp.OptionalValue;
import dev.weft.ir.interp.SequenceValue;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads and writes the {@code input_K.pb}/{@code output_K.pb} files of ONNX backend tests. A
 * file holds a TensorProto, SequenceProto or OptionalProto; which one is not recorded in the
 * file, so the model's declared type for that input or output chooses.
 */
public final class OnnxTestData {
  private OnnxTestData() {}

  /**
   * Reads one file as the value kind {@code type} declares (null or a tensor type: a
   * TensorProto). Returns a {@link Tensor}, {@link SequenceValue} or {@link OptionalValue}.
   */
  public static Object read(Path file, TypeProto type) {
    String name = file.getFileName().toString();
    TypeProto.ValueCase kind = type == null ? TypeProto.ValueCase.TENSOR_TYPE : type.getValueCase();
    return switch (kind) {
      case SEQUENCE_TYPE -> fromSequence(OnnxModelReader.parseFile(file, SequenceProto.parser(), name), name);
      case OPTIONAL_TYPE -> fromOptional(OnnxModelReader.parseFile(file, OptionalProto.parser(), name), name);
      default -> OnnxTensors.decode(OnnxModelReader.parseFile(file, TensorProto.parser(), name), name);
    };
  }

  public static Tensor readTensor(Path file) { return (Tensor) read(file, null); }

  static SequenceValue fromSequence(SequenceProto s, String where) {
    if (s.getSequenceValuesCount() > 0 || s.getMapValuesCount() > 0 || s.getOptionalValueCount() > 0
        || s.getSparseTensorValuesCount() > 0) {
      throw new OnnxImportException(where + ": only sequences of dense tensors are supported");
    }
    List<Tensor> items = new ArrayList<>();
    for (TensorProto t : s.getTensorValuesList()) items.add(OnnxTensors.decode(t, where));
    return new SequenceValue(items);
  }

  static OptionalValue fromOptional(OptionalProto o, String where) {
    if (o.hasTensorValue()) return new OptionalValue(OnnxTensors.decode(o.getTensorValue(), where));
    if (o.hasSequenceValue()) return new OptionalValue(fromSequence(o.getSequenceValue(), where));
    if (o.hasSparseTensorValue() || o.hasMapValue() || o.hasOptionalValue()) {
      throw new OnnxImportException(where + ": only optionals of tensors and sequences are supported");
    }
    return OptionalValue.EMPTY;
  }

  /** Serializes a run-time value as the matching proto message. */
  public static byte[] toBytes(Object value, String name) {
    return switch (value) {
      case Tensor t -> OnnxTensors.encode(t, name).toByteArray();
      case SequenceValue s -> sequence(s, name).toByteArray();
      case OptionalValue o -> optional(o, name).toByteArray();
      case null, default -> throw new IllegalArgumentException("cannot serialize " + value);
    };
  }

  /** Writes a value to {@code file} (a path the caller chose, never one taken from the model). */
  public static void write(Path file, Object value, String name) throws IOException {
    Files.write(file, toBytes(value, name));
  }

  static SequenceProto sequence(SequenceValue s, String name) {
    SequenceProto.Builder b = SequenceProto.newBuilder().setElemType(SequenceProto.DataType.TENSOR_VALUE);
    if (name != null) b.setName(name);
    for (Tensor t : s.items()) b.addTensorValues(OnnxTensors.encode(t, null));
    return b.build();
  }

  static OptionalProto optional(OptionalValue o, String name) {
    OptionalProto.Builder b = OptionalProto.newBuilder();
    if (name != null) b.setName(name);
    switch (o.value()) {
      case null -> b.setElemType(OptionalProto.DataType.UNDEFINED_VALUE);
      case Tensor t -> b.setElemType(OptionalProto.DataType.TENSOR_VALUE).setTensorValue(OnnxTensors.encode(t, null));
      case SequenceValue s -> b.setElemType(OptionalProto.DataType.SEQUENCE_VALUE).setSequenceValue(sequence(s, null));
      default -> throw new IllegalArgumentException("cannot serialize optional of " + o.value().getClass().getSimpleName());
    }
    return b.build();
  }
}
