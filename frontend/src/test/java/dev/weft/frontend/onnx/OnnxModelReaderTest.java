package dev.weft.frontend.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.frontend.onnx.proto.OnnxProto.GraphProto;
import dev.weft.frontend.onnx.proto.OnnxProto.ModelProto;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OnnxModelReaderTest {
  @TempDir Path tmp;

  private static ModelProto good() {
    GraphProto g = GraphProto.newBuilder().setName("g").addInput(Protos.tensorInfo("x", 1, 2))
        .addNode(Protos.node("id", "Identity", List.of("x"), List.of("y"))).addOutput(Protos.tensorInfo("y", 1, 2)).build();
    return Protos.model(g, 13);
  }

  private static String error(byte[] bytes) {
    return assertThrows(OnnxImportException.class, () -> OnnxModelReader.read(bytes, "bad.onnx")).getMessage();
  }

  @Test
  void readsAFileAndRemembersItsFolder() throws IOException {
    Path f = tmp.resolve("m.onnx");
    Files.write(f, good().toByteArray());
    OnnxModel m = OnnxModelReader.read(f);
    assertEquals("m.onnx", m.fileName());
    assertEquals(tmp.toAbsolutePath(), m.baseDir());
    assertEquals(1, m.proto().getGraph().getNodeCount());
  }

  @Test
  void garbageAndTruncatedBytes() {
    String m = error(new byte[] {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF});
    assertTrue(m.startsWith("bad.onnx: ") && m.contains("not a valid ONNX protobuf"), m);
    byte[] ok = good().toByteArray();
    for (int cut = 1; cut < ok.length; cut++) {
      byte[] part = Arrays.copyOf(ok, cut);
      assertTrue(error(part).startsWith("bad.onnx: "));  // either a protobuf error or a header check
    }
    Random r = new Random(42);
    for (int i = 0; i < 200; i++) {
      byte[] junk = new byte[1 + r.nextInt(300)];
      r.nextBytes(junk);
      assertTrue(error(junk).startsWith("bad.onnx: "));
    }
  }

  @Test
  void badHeaders() {
    assertTrue(error(good().toBuilder().setIrVersion(0).build().toByteArray()).contains("ir_version is missing or 0"));
    assertTrue(error(good().toBuilder().setIrVersion(99).build().toByteArray()).contains("ir_version 99 is newer"));
    assertTrue(error(good().toBuilder().setIrVersion(2).build().toByteArray()).contains("ir_version 2 is older"));
    assertTrue(error(good().toBuilder().clearOpsetImport().build().toByteArray()).contains("no opset_import"));
    assertTrue(error(good().toBuilder().clearGraph().build().toByteArray()).contains("no graph"));
  }

  @Test
  void nestingBeyondTheProtobufRecursionLimitIsATypedError() {
    GraphProto g = GraphProto.newBuilder().setName("leaf").build();
    for (int i = 0; i < 200; i++) {  // 3 message levels each: 600 > the limit of 400
      g = GraphProto.newBuilder().addNode(Protos.node("n" + i, "If", List.of(), List.of(), Protos.graphAttr("then_branch", g))).build();
    }
    assertTrue(error(Protos.model(g, 13).toByteArray()).contains("not a valid ONNX protobuf"));
  }

  @Test
  void fileOverTwoGigabytesAsksForExternalData() throws IOException {
    Path f = tmp.resolve("huge.onnx");
    try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "rw")) {
      raf.setLength(3L << 30);  // sparse: takes no disk space
    }
    String m = assertThrows(OnnxImportException.class, () -> OnnxModelReader.read(f)).getMessage();
    assertTrue(m.contains("huge.onnx") && m.contains("external data"), m);
  }

  @Test
  void missingFileIsATypedError() {
    assertThrows(OnnxImportException.class, () -> OnnxModelReader.read(tmp.resolve("nope.onnx")));
  }
}
