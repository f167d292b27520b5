package dev.weft.frontend.onnx;

import static dev.weft.frontend.onnx.Protos.tensor;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.bundle.Tensor;
import dev.weft.frontend.onnx.proto.OnnxProto.GraphProto;
import dev.weft.frontend.onnx.proto.OnnxProto.SparseTensorProto;
import dev.weft.frontend.onnx.proto.OnnxProto.StringStringEntryProto;
import dev.weft.frontend.onnx.proto.OnnxProto.TensorProto;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExternalDataTest {
  @TempDir Path tmp;
  Path modelDir;
  Path outside;

  @BeforeEach
  void files() throws IOException {
    modelDir = Files.createDirectories(tmp.resolve("model"));
    outside = Files.createDirectories(tmp.resolve("outside"));
    ByteBuffer b = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN).putFloat(1f).putFloat(2f).putFloat(3f);
    Files.write(modelDir.resolve("w.bin"), b.array());
    Files.createDirectories(modelDir.resolve("data"));
    Files.write(modelDir.resolve("data/w.bin"), b.array());
    Files.write(outside.resolve("secret.bin"), b.array());
  }

  private static TensorProto ext(String location, long n, String... kv) {
    TensorProto.Builder t = tensor("w", 1, n).setDataLocation(TensorProto.DataLocation.EXTERNAL)
        .addExternalData(StringStringEntryProto.newBuilder().setKey("location").setValue(location));
    for (int i = 0; i < kv.length; i += 2) t.addExternalData(StringStringEntryProto.newBuilder().setKey(kv[i]).setValue(kv[i + 1]));
    return t.build();
  }

  private Tensor read(TensorProto t) { return OnnxTensors.decode(t, new ExternalData(modelDir, "m.onnx"), "m.onnx"); }

  private String error(TensorProto t) { return assertThrows(OnnxImportException.class, () -> read(t)).getMessage(); }

  @Test
  void readsGoodFiles() {
    assertArrayEquals(new float[] {1, 2, 3}, read(ext("w.bin", 3)).toFloatArray());
    assertArrayEquals(new float[] {2, 3}, read(ext("data/w.bin", 2, "offset", "4", "length", "8")).toFloatArray());
    assertArrayEquals(new float[] {3}, read(ext("./data/w.bin", 1, "offset", "8", "checksum", "x")).toFloatArray());
  }

  @Test
  void rejectsTraversalBeforeOpening() {
    assertTrue(error(ext("../outside/secret.bin", 3)).contains("'..' segment"));
    assertTrue(error(ext("data/../../outside/secret.bin", 3)).contains("'..' segment"));
    assertTrue(error(ext("a\\..\\..\\x", 3)).contains("'..' segment"));
    assertTrue(error(ext(outside.resolve("secret.bin").toString(), 3)).contains("absolute path"));
    assertTrue(error(ext("C:\\Windows\\x.bin", 3)).contains("drive letter"));
    assertTrue(error(ext("C:x.bin", 3)).contains("drive letter"));
    assertTrue(error(ext("\\\\server\\share\\x", 3)).contains("absolute"));
    assertTrue(error(ext("", 3)).contains("no 'location'"));
  }

  @Test
  void rejectsSymlinksAndHardlinks() throws IOException {
    Files.createSymbolicLink(modelDir.resolve("link.bin"), outside.resolve("secret.bin"));
    assertTrue(error(ext("link.bin", 3)).contains("symbolic link"));
    Files.createSymbolicLink(modelDir.resolve("inner.bin"), modelDir.resolve("w.bin"));
    assertTrue(error(ext("inner.bin", 3)).contains("symbolic link"));
    Files.createSymbolicLink(modelDir.resolve("dir"), outside);
    assertTrue(error(ext("dir/secret.bin", 3)).contains("symbolic link"));
    Files.createLink(modelDir.resolve("hard.bin"), outside.resolve("secret.bin"));
    assertTrue(error(ext("hard.bin", 3)).contains("hard links"));
  }

  @Test
  void rejectsBadOffsetsLengthsAndKeys() {
    assertTrue(error(ext("w.bin", 3, "offset", "-1")).contains("negative"));
    assertTrue(error(ext("w.bin", 3, "length", "-4")).contains("negative"));
    assertTrue(error(ext("w.bin", 1, "offset", "13")).contains("past the end"));
    assertTrue(error(ext("w.bin", 2, "offset", "8", "length", "8")).contains("past the end"));
    assertTrue(error(ext("w.bin", 1, "offset", "9223372036854775807", "length", "4")).contains("past the end"));
    assertTrue(error(ext("w.bin", 4)).contains("length 12 does not match the 16 bytes"));   // data short
    assertTrue(error(ext("w.bin", 2)).contains("length 12 does not match the 8 bytes"));    // data long
    assertTrue(error(ext("w.bin", 2, "length", "4")).contains("length 4 does not match"));
    assertTrue(error(ext("w.bin", 3, "basepath", "/etc")).contains("unknown external_data key 'basepath'"));
    assertTrue(error(ext("w.bin", 3, "offset", "12abc")).contains("not an integer"));
    assertTrue(error(ext("w.bin", 3, "location", "w.bin")).contains("twice"));
    assertTrue(error(ext("missing.bin", 3)).contains("not found"));
    assertTrue(error(ext("data", 3)).contains("not a regular file"));
  }

  @Test
  void modelFromBytesHasNoFolder() {
    String m = assertThrows(OnnxImportException.class,
        () -> OnnxTensors.decode(ext("w.bin", 3), new ExternalData(null, "m.onnx"), "m.onnx")).getMessage();
    assertTrue(m.contains("loaded from bytes"), m);
  }

  /** Every importer entry point goes through the same validator. */
  @Test
  void everyEntryPointIsChecked() {
    TensorProto bad = ext("../outside/secret.bin", 3);
    GraphProto.Builder g = GraphProto.newBuilder().setName("g").addOutput(Protos.tensorInfo("w", 1, 3));
    assertImportFails(g.clone().addInitializer(bad));
    SparseTensorProto sp = SparseTensorProto.newBuilder().setValues(bad.toBuilder().clearDims().addDims(3))
        .setIndices(tensor("i", 7, 3).addInt64Data(0).addInt64Data(1).addInt64Data(2)).addDims(3).build();
    assertImportFails(g.clone().addSparseInitializer(sp));
    assertImportFails(g.clone().addNode(Protos.node("c", "Constant", List.of(), List.of("w"), Protos.tensorAttr("value", bad))));
    var sparseAttr = dev.weft.frontend.onnx.proto.OnnxProto.AttributeProto.newBuilder().setName("sparse_value")
        .setType(dev.weft.frontend.onnx.proto.OnnxProto.AttributeProto.AttributeType.SPARSE_TENSOR).setSparseTensor(sp).build();
    assertImportFails(g.clone().addNode(Protos.node("c", "Constant", List.of(), List.of("w"), sparseAttr)));
  }

  private void assertImportFails(GraphProto.Builder g) {
    OnnxModel m = new OnnxModel(Protos.model(g.build(), 13), "m.onnx", modelDir);
    String msg = assertThrows(OnnxImportException.class, () -> OnnxImporter.importModel(m)).getMessage();
    assertTrue(msg.contains("'..' segment") && msg.contains("m.onnx"), msg);
  }
}
