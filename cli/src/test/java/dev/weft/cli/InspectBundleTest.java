package dev.weft.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code weft inspect BUNDLE} on a bundle compiled here from a tiny .wir model. */
class InspectBundleTest {
  @TempDir Path tmp;

  private static final String TINY = """
      module {
        graph @tiny(%x: f32[2,3]) -> (%y) {
          %b: f32[3] = constant() {value = dense<f32[3]> [1.0, 2.0, 3.0]}
          %a: f32[2,3] = add(%x, %b)
          %y: f32[2,3] = tanh(%a)
        }
      }
      """;

  private Path compile() throws IOException {
    Path model = tmp.resolve("tiny.wir");
    Files.writeString(model, TINY);
    Path bundle = tmp.resolve("tiny.bundle");
    CliTest.Result r = CliTest.weft("compile", model.toString(), "--target", "cpu", "-o", bundle.toString(), "--quiet");
    assertEquals(0, r.code(), r.err());
    return bundle;
  }

  @Test
  void textReportShowsTargetSignatureFilesAndProgramSizes() throws IOException {
    Path bundle = compile();
    CliTest.Result r = CliTest.weft("inspect", bundle.toString());
    assertEquals(0, r.code(), r.err());
    String out = r.out();
    assertTrue(out.contains("target: cpu x86_64"), out);
    assertTrue(out.contains("kernel_abi: 1"), out);
    assertTrue(out.contains("  x: f32[2, 3]") || out.contains("  x: float32[2, 3]"), out);
    assertTrue(out.lines().anyMatch(l -> l.trim().startsWith("y") || l.trim().startsWith("y__out")), out);
    long soBytes = Files.size(bundle.resolve("ranks/0/kernels.so"));
    assertTrue(out.contains("ok " ) && out.contains(soBytes + "  ranks/0/kernels.so"), out);
    assertTrue(out.contains("all "), out);
    // add and tanh fuse into one elementwise group: one kernel, one launch
    assertTrue(out.contains("rank 0: 1 kernels, 1 steps (1 launches, 0 library calls, 0 copies)"), out);
  }

  @Test
  void jsonReportAndHashMismatchAfterCorruption() throws IOException {
    Path bundle = compile();
    CliTest.Result r = CliTest.weft("inspect", bundle.toString(), "--json");
    assertEquals(0, r.code(), r.err());
    String json = r.out().replaceAll("\\s+", "");
    assertTrue(json.contains("\"target\":{\"kind\":\"cpu\",\"arch\":\"x86_64\""), json);
    assertTrue(json.contains("{\"name\":\"x\",\"dtype\":\"" ), json);
    assertTrue(json.contains("\"shape\":[2,3]"), json);
    assertTrue(json.contains("\"files_ok\":true"), json);
    assertTrue(json.contains("\"kernels\":1,\"steps\":1"), json);

    Files.write(bundle.resolve("ranks/0/kernels.so"), new byte[] {0}, StandardOpenOption.APPEND);
    CliTest.Result bad = CliTest.weft("inspect", bundle.toString());
    assertEquals(Main.USER_ERROR, bad.code(), bad.out());
    assertTrue(bad.out().lines().anyMatch(l -> l.contains("MISMATCH") && l.contains("ranks/0/kernels.so")), bad.out());
  }
}
