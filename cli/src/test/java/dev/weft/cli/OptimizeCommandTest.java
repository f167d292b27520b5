package dev.weft.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code weft optimize}: pipelines from the command line, printing, dumping, timing and errors. */
class OptimizeCommandTest {
  @TempDir Path tmp;

  static final String MODEL = """
      graph @main(%x: f32[4]) -> (%y) {
        %zero = constant() {value = dense<f32[]> [0.0]}
        %a = add(%x, %zero)
        %y = exp(%a)
      }
      """;

  private Path model() throws IOException {
    Path p = tmp.resolve("m.wir");
    Files.writeString(p, MODEL);
    return p;
  }

  @Test
  void defaultPipelinePrintsTheResult() throws IOException {
    CliTest.Result r = CliTest.weft("optimize", model().toString());
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("%y: f32[4] = exp(%x)"), r.out());
    assertFalse(r.out().contains("add("), r.out());
  }

  @Test
  void writesOutputDumpsAndTimes() throws IOException {
    Path out = tmp.resolve("out/m.opt.wir");
    CliTest.Result r = CliTest.weft("optimize", model().toString(), "--pipeline", "canonicalize,dce", "-o", out.toString(),
        "--timing", "--dump-dir", tmp.resolve("dump").toString());
    assertEquals(0, r.code(), r.err());
    assertTrue(Files.readString(out).contains("exp(%x)"));
    assertTrue(Files.exists(tmp.resolve("dump/00-input.wir")));
    assertTrue(Files.exists(tmp.resolve("dump/02-dce.wir")));
    assertTrue(r.out().contains("add-zero=1"), r.out());
    // The written module is valid input again.
    assertEquals(0, CliTest.weft("optimize", out.toString(), "--pipeline", "cse").code());
  }

  @Test
  void explainFusion() throws IOException {
    Path p = tmp.resolve("mm.wir");
    Files.writeString(p, """
        graph @main(%x: f32[2,4], %w: f32[4,3], %b: f32[3]) -> (%y) {
          %m = matmul(%x, %w) loc("mm.onnx" "fc/MatMul")
          %a = add(%m, %b) loc("mm.onnx" "fc/Add")
          %r = relu(%a) loc("mm.onnx" "fc/Relu")
          %y = trilu(%r) loc("mm.onnx" "Trilu")
        }
        """);
    CliTest.Result r = CliTest.weft("optimize", p.toString(), "--explain-fusion");
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("fusion.0  kind=matmul_epilogue  nodes=3"), r.out());
    assertTrue(r.out().contains("matmul at mm.onnx node 'fc/MatMul'"), r.out());
    assertTrue(r.out().contains("relu at mm.onnx node 'fc/Relu'"), r.out());
    assertTrue(r.out().contains("consumer trilu at mm.onnx node 'Trilu' (unfused) of %r: op trilu is opaque"), r.out());
    assertTrue(r.out().contains("2 kernels (1 fused groups + 1 unfused {trilu=1})"), r.out());
  }

  @Test
  void printIrAfterChange() throws IOException {
    CliTest.Result r = CliTest.weft("optimize", model().toString(), "--pipeline", "cse,canonicalize", "--print-ir-after", "change");
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("IR after canonicalize"), r.out());
    assertFalse(r.out().contains("IR after cse"), r.out());
  }

  @Test
  void unknownPassIsAUserError() throws IOException {
    CliTest.Result r = CliTest.weft("optimize", model().toString(), "--pipeline", "canonicalise");
    assertEquals(Main.USER_ERROR, r.code());
    assertTrue(r.err().startsWith("weft: error: unknown pass 'canonicalise'; known passes: canonicalize,"), r.err());
  }

  @Test
  void verifyModes() throws IOException {
    for (String mode : new String[] {"each", "ends", "off"}) {
      CliTest.Result r = CliTest.weft("optimize", model().toString(), "--verify", mode);
      assertEquals(0, r.code(), mode + ": " + r.err());
      assertTrue(r.out().contains("exp(%x)"), r.out());
    }
    CliTest.Result bad = CliTest.weft("optimize", model().toString(), "--verify", "sometimes");
    assertEquals(Main.USER_ERROR, bad.code());
    assertTrue(bad.err().contains("unknown verify mode 'sometimes' (each, ends or off)"), bad.err());
  }

  @Test
  void listPassesAndHelp() {
    CliTest.Result r = CliTest.weft("optimize", "--list-passes");
    assertEquals(0, r.code());
    assertTrue(r.out().contains("fold-batchnorm") && r.out().contains("{max-bytes=...}"), r.out());
    CliTest.Result h = CliTest.weft("optimize", "--help");
    assertTrue(h.out().contains("Examples:"), h.out());
  }
}
