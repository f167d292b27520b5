package dev.weft.frontend.onnx.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.weft.frontend.onnx.Conformance;
import dev.weft.frontend.onnx.OnnxImporter;
import dev.weft.frontend.onnx.OnnxModelReader;
import dev.weft.ir.Module;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Optional: ONNX's own checker ({@code onnx.checker.check_model(full_check=True)}) on a sample
 * of exported node tests. Skipped, loudly, when no python3 has an {@code onnx} package new
 * enough for IR version 10 / opset 21 (onnx 1.16 or later; Debian 12's python3-onnx is 1.12).
 */
class OnnxCheckerTest {
  @TempDir Path tmp;

  /** Every how-many-th node test goes into the sample. */
  static final int STRIDE = 10;

  static String pythonWithOnnx() {
    for (String py : List.of("python3", "/usr/bin/python3")) {
      String v = run(List.of(py, "-c", "import onnx, onnx.defs; print(onnx.__version__, onnx.IR_VERSION, onnx.defs.onnx_opset_version())"));
      if (v != null && !v.isBlank()) {
        String[] p = v.trim().split(" ");
        if (Long.parseLong(p[1]) >= OnnxExporter.IR_VERSION && Long.parseLong(p[2]) >= OnnxExporter.DEFAULT_OPSET) return py;
        System.out.println("[weft] " + py + " has onnx " + p[0] + " (IR " + p[1] + ", opset " + p[2] + "): too old for IR "
            + OnnxExporter.IR_VERSION + " / opset " + OnnxExporter.DEFAULT_OPSET);
      }
    }
    return null;
  }

  private static String run(List<String> cmd) {
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      byte[] out = p.getInputStream().readAllBytes();
      if (!p.waitFor(300, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return null;
      }
      return p.exitValue() == 0 ? new String(out, StandardCharsets.UTF_8) : null;
    } catch (IOException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  @Test
  void onnxCheckerAcceptsExportedModels() throws IOException {
    String py = pythonWithOnnx();
    if (py == null) System.out.println("[weft] SKIPPED onnx.checker on exported models: no python3 with onnx >= 1.16 (pip install onnx)");
    assumeTrue(py != null, "no python3 with a recent onnx package");
    Path node = ExportRoundTripTest.corpus().resolve("onnx-backend/node");
    if (!Files.isDirectory(node)) System.out.println("[weft] SKIPPED onnx.checker: no corpus at " + node);
    assumeTrue(Files.isDirectory(node), "no node-test corpus");
    List<Path> dirs = Conformance.discover(node);
    List<String> files = new ArrayList<>();
    for (int i = 0; i < dirs.size(); i += STRIDE) {
      Module m;
      try {
        m = OnnxImporter.importModel(OnnxModelReader.read(dirs.get(i).resolve("model.onnx")));
      } catch (RuntimeException e) {
        continue;   // not importable: nothing to export
      }
      Path out = tmp.resolve(dirs.get(i).getFileName() + ".onnx");
      OnnxExporter.write(m, out, false, OnnxExporter.Options.defaults());
      files.add(out.toString());
    }
    Path list = tmp.resolve("files.txt");
    Files.write(list, files);
    String script = String.join("\n",
        "import sys, onnx",
        "bad = 0",
        "for f in open(sys.argv[1]).read().split():",
        "    try:",
        "        onnx.checker.check_model(f, full_check=True)",
        "    except Exception as e:",
        "        bad += 1",
        "        print('FAIL', f.rsplit('/', 1)[-1], str(e).splitlines()[0][:300])",
        "print('checked', len(open(sys.argv[1]).read().split()), 'bad', bad)");
    Process p = new ProcessBuilder(py, "-c", script, list.toString()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    System.out.println("[weft] onnx.checker: " + out.trim().replace("\n", "\n[weft]   "));
    assertEquals(0, out.lines().filter(l -> l.startsWith("FAIL")).count(), out);
  }
}
