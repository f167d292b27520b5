package dev.weft.frontend.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.weft.bundle.WeftException;
import dev.weft.frontend.onnx.proto.OnnxProto.StringStringEntryProto;
import dev.weft.frontend.onnx.proto.OnnxProto.TensorProto;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Fuzzes the external-data resolver: fuzzed {@code location}/{@code offset}/{@code length}
 * (and unknown) keys, dims and data types against a fixed folder that holds regular files, a
 * subfolder, a symlink and a hard link to a secret file outside the model folder, and a symlink
 * to the parent folder. Only typed errors may escape, a successful read returns exactly the
 * expected size, and no byte of the secret (0x5A) ever comes back.
 */
class ExternalDataFuzzTest {
  private static final byte SECRET = 0x5A;
  private static final Path MODEL_DIR = layout();
  private static final String[] LOCATIONS = {
    "weights.bin", "sub/w2.bin", "./weights.bin", "sub/../weights.bin", "sub\\w2.bin", "link.bin", "hard.bin",
    "up/secret.bin", "../secret.bin", "sub", "empty", "missing.bin", "", "/etc/passwd", "C:\\w.bin", "weights.bin\0x",
    "a:b", "//weights.bin", "sub//w2.bin", MODEL_DIR.getParent().resolve("secret.bin").toString(),
  };
  private static final String[] KEYS = {"location", "offset", "length", "checksum"};

  private static Path layout() {
    try {
      Path root = Files.createTempDirectory("weft-extdata-fuzz");
      Path model = Files.createDirectory(root.resolve("model"));
      byte[] secret = new byte[256];
      Arrays.fill(secret, SECRET);
      Files.write(root.resolve("secret.bin"), secret);
      byte[] w = new byte[256];
      for (int i = 0; i < w.length; i++) w[i] = (byte) (i % 64);
      Files.write(model.resolve("weights.bin"), w);
      Files.createDirectory(model.resolve("sub"));
      Files.write(model.resolve("sub/w2.bin"), Arrays.copyOf(w, 64));
      Files.write(model.resolve("empty"), new byte[0]);
      Files.createSymbolicLink(model.resolve("link.bin"), root.resolve("secret.bin"));
      Files.createSymbolicLink(model.resolve("up"), root);
      try {
        Files.createLink(model.resolve("hard.bin"), root.resolve("secret.bin"));
      } catch (UnsupportedOperationException | IOException e) {
        // No hard links on this file system: that case is then simply absent.
      }
      return model;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @FuzzTest(maxDuration = "3m")
  void resolveAndRead(FuzzedDataProvider data) {
    TensorProto.Builder t = TensorProto.newBuilder().setName("w").setDataLocation(TensorProto.DataLocation.EXTERNAL);
    int entries = data.consumeInt(0, 5);
    for (int i = 0; i < entries; i++) {
      String key = data.consumeBoolean() ? data.pickValue(KEYS) : data.consumeString(12);
      String value = switch (data.consumeInt(0, 3)) {
        case 0 -> data.pickValue(LOCATIONS);
        case 1 -> Long.toString(data.consumeLong());
        case 2 -> Integer.toString(data.consumeInt(-2, 300));
        default -> data.consumeString(40);
      };
      t.addExternalData(StringStringEntryProto.newBuilder().setKey(key).setValue(value));
    }
    ExternalData ext = new ExternalData(MODEL_DIR, "fuzz.onnx");
    try {
      if (data.consumeBoolean()) {
        long expected = data.consumeLong(0, 512);
        MemorySegment seg = ext.read(t.build(), expected, "tensor 'w'");
        assertEquals(expected, seg.byteSize());
        for (long i = 0; i < seg.byteSize(); i++) assertNotEquals(SECRET, seg.get(ValueLayout.JAVA_BYTE, i), "read outside the model folder");
      } else {
        t.setDataType(data.consumeInt(-1, 26));
        int rank = data.consumeInt(0, 4);
        for (int i = 0; i < rank; i++) t.addDims(data.consumeBoolean() ? data.consumeLong(-1, 70) : data.consumeLong());
        OnnxTensors.decode(t.build(), ext, "tensor 'w'");
      }
    } catch (WeftException e) {
      // typed: fine
    }
  }
}
