package dev.weft.ir.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.bundle.DType;
import dev.weft.bundle.Tensor;
import dev.weft.ir.Constants;
import dev.weft.ir.Graph;
import dev.weft.ir.GraphBuilder;
import dev.weft.ir.Module;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Large constants in a weights file beside the .wir: layout, round trip, and refusal of bad references. */
class WirWeightsTest {
  @TempDir Path dir;

  private static Module twoWeights() {
    Graph g = new Graph("main");
    GraphBuilder b = new GraphBuilder(g);
    float[] big = new float[256 * 256];
    for (int i = 0; i < big.length; i++) big[i] = i * 0.5f;
    g.addOutput(b.constant(Tensor.ofFloats(new long[] {256, 256}, big), "w1"));
    g.addOutput(b.constant(Tensor.of(DType.F16, new long[] {65}, new double[65]), "w2")); // 130 bytes: the next blob is padded
    g.addOutput(b.constant(Tensor.of(DType.I8, new long[] {3}, 1, 2, 3), "small"));
    g.addOutput(b.constant(Tensor.ofLongs(new long[] {70}, new long[70]), "w3"));
    return new Module(g);
  }

  @Test
  void fileRoundTripWithAlignedDeterministicLayout() throws IOException {
    Module m = twoWeights();
    Path wir = dir.resolve("model.wir");
    new WirPrinter().write(m, wir);
    String text = Files.readString(wir);
    assertTrue(text.contains("dense_resource<f32[256,256]> \"model.weights.bin\" offset 0 length 262144"), text);
    assertTrue(text.contains("dense_resource<f16[65]> \"model.weights.bin\" offset 262144 length 130"), text);
    assertTrue(text.contains("dense<i8[3]> [1, 2, 3]"), text);
    assertTrue(text.contains("dense_resource<i64[70]> \"model.weights.bin\" offset 262336 length 560"), text);
    assertEquals(262336 + 560, Files.size(dir.resolve("model.weights.bin")));

    Module back = new WirParser().parse(wir);
    GraphAssert.assertSameModule(m, back);
    Path again = dir.resolve("again/model.wir");
    Files.createDirectories(again.getParent());
    new WirPrinter().write(back, again);
    assertEquals(text, Files.readString(again));
    assertArrayEquals(Files.readAllBytes(dir.resolve("model.weights.bin")), Files.readAllBytes(dir.resolve("again/model.weights.bin")));
  }

  @Test
  void noWeightsFileWithoutLargeConstants() throws IOException {
    Graph g = new Graph("main");
    g.addOutput(new GraphBuilder(g).constant(Tensor.ofFloats(new long[] {2}, 1, 2)));
    new WirPrinter().write(new Module(g), dir.resolve("small.wir"));
    assertFalse(Files.exists(dir.resolve("small.weights.bin")));
  }

  @Test
  void inMemoryRoundTripAndInlineLimit() {
    Module m = twoWeights();
    MemoryWeights w = new MemoryWeights("mem.bin");
    String text = new WirPrinter().weights(w).inlineLimit(2).print(m);
    assertTrue(text.contains("dense_resource<i8[3]> \"mem.bin\" offset"), text);
    Module back = new WirParser().weights(w).parse(text);
    GraphAssert.assertSameModule(m, back);
    Tensor w1 = Constants.valueOf(back.main().outputs().get(0));
    assertEquals(0.5f * 1000, w1.getFloat(1000));
  }

  private WirParseException parseInDir(String ref) throws IOException {
    Files.write(dir.resolve("w.bin"), new byte[64]);
    Path wir = dir.resolve("sub/m.wir");
    Files.createDirectories(wir.getParent());
    Files.writeString(wir, "graph @g() -> () {\n  %c = constant() {value = " + ref + "}\n}\n");
    return assertThrows(WirParseException.class, () -> new WirParser().parse(wir));
  }

  @Test
  void pathsThatLeaveTheFolderAreRefused() throws IOException {
    WirParseException e = parseInDir("dense_resource<f32[2]> \"../w.bin\" offset 0 length 8");
    assertTrue(e.getMessage().endsWith("m.wir:2:51: weights path \"../w.bin\" must be relative and stay inside the .wir folder"), e.getMessage());
    e = parseInDir("dense_resource<f32[2]> \"" + dir.resolve("w.bin") + "\" offset 0 length 8");
    assertTrue(e.getMessage().contains("must be relative"), e.getMessage());
    e = parseInDir("dense_resource<f32[2]> \"a/../../w.bin\" offset 0 length 8");
    assertTrue(e.getMessage().contains("must be relative"), e.getMessage());
  }

  @Test
  void offsetAndLengthAreChecked() throws IOException {
    Files.createDirectories(dir.resolve("sub"));
    Files.write(dir.resolve("sub/w.bin"), new byte[64]);
    WirParseException e = parseInDir("dense_resource<f32[2]> \"w.bin\" offset 60 length 8");
    assertTrue(e.getMessage().contains(":2:66: bytes [60, 68) are outside \"w.bin\" of 64 bytes"), e.getMessage());
    e = parseInDir("dense_resource<f32[2]> \"w.bin\" offset 0 length 12");
    assertTrue(e.getMessage().contains(":2:75: expected length 8 for f32[2], found 12"), e.getMessage());
    e = parseInDir("dense_resource<f32[2]> \"nope.bin\" offset 0 length 8");
    assertTrue(e.getMessage().contains("weights file \"nope.bin\" not found"), e.getMessage());
    e = parseInDir("dense_resource<f32[4611686018427387904,4]> \"w.bin\" offset 0 length 8");
    assertTrue(e.getMessage().contains(":2:43: tensor type f32[4611686018427387904,4] is larger than 2^63 bytes"), e.getMessage());
  }

  @Test
  void noSourceMeansNoResources() {
    WirParseException e = assertThrows(WirParseException.class,
        () -> new WirParser().parse("graph @g() -> () { %c = constant() {value = dense_resource<f32[2]> \"w.bin\" offset 0 length 8} }"));
    assertTrue(e.getMessage().contains("not found"), e.getMessage());
  }
}
