package dev.weft.cli;

import dev.weft.bundle.Tensor;
import dev.weft.bundle.WeftException;
import dev.weft.frontend.onnx.OnnxTestData;
import dev.weft.frontend.onnx.proto.OnnxProto.TypeProto;
import dev.weft.ir.Dim;
import dev.weft.ir.OptionalType;
import dev.weft.ir.SequenceType;
import dev.weft.ir.Shape;
import dev.weft.ir.TensorType;
import dev.weft.ir.Value;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Arrays;

/**
 * Reads one input file for a graph input and checks it against the declared type, so a wrong
 * file fails here, naming the input, rather than deep inside a kernel.
 */
final class InputCheck {
  private InputCheck() {}

  /**
   * Every input_K.pb in a folder, in order, for formats that do not declare their inputs: the
   * tensors type the graph and are then its arguments, so each file is read once.
   */
  static List<Tensor> readAll(Path dir) {
    List<Tensor> tensors = new ArrayList<>();
    for (int k = 0; Files.isRegularFile(dir.resolve("input_" + k + ".pb")); k++) {
      tensors.add(OnnxTestData.readTensor(dir.resolve("input_" + k + ".pb")));
    }
    if (tensors.isEmpty()) throw new WeftException(dir + ": no input_0.pb (TorchScript models take their input types from the files)");
    return tensors;
  }

  static List<TensorType> typesOf(List<Tensor> tensors) {
    return tensors.stream().map(t -> TensorType.of(t.dtype(), t.shape())).toList();
  }

  static Object read(Path file, Value input) {
    TypeProto kind = switch (input.type()) {
      case SequenceType s -> TypeProto.newBuilder().setSequenceType(TypeProto.Sequence.getDefaultInstance()).build();
      case OptionalType o -> TypeProto.newBuilder().setOptionalType(TypeProto.Optional.getDefaultInstance()).build();
      case TensorType t -> null;
    };
    Object value = OnnxTestData.read(file, kind);
    if (input.type() instanceof TensorType tt && value instanceof Tensor t) check(file, input.name(), tt, t);
    return value;
  }

  private static void check(Path file, String name, TensorType declared, Tensor actual) {
    if (declared.dtype() != actual.dtype()) {
      throw new WeftException(file + ": input '" + name + "' must be " + declared.dtype() + ", file holds " + actual.dtype());
    }
    Shape s = declared.shape();
    if (!s.isRanked()) return;
    boolean ok = s.rank() == actual.rank();
    for (int i = 0; ok && i < s.rank(); i++) {
      Dim d = s.dim(i);
      ok = !d.isStatic() || d.size() == actual.dim(i);
    }
    if (!ok) {
      throw new WeftException(file + ": input '" + name + "' must have shape " + s + ", file holds "
          + Arrays.toString(actual.shape()));
    }
  }
}
