package dev.weft.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.bundle.DType;
import dev.weft.bundle.Tensor;
import dev.weft.frontend.onnx.OnnxTestData;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CLI end to end, in process: exit codes, messages and files. */
class CliTest {
  @TempDir Path tmp;

  record Result(int code, String out, String err) {}

  static Result weft(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.execute(args, new PrintWriter(out), new PrintWriter(err));
    return new Result(code, out.toString(), err.toString());
  }

  private Path writeModel(String text) throws IOException {
    Path p = tmp.resolve("m.wir");
    Files.writeString(p, text);
    return p;
  }

  private static final String ADD_RELU = """
      module {
        graph @main(%a: f32[2,3], %b: f32[3]) -> (%y) {
          %s = add(%a, %b)
          %y = relu(%s)
        }
      }
      """;

  @Test
  void compileRefusesANonEmptyOutputFolderBeforeCompiling() throws IOException {
    Path model = writeModel(ADD_RELU);
    Path out = Files.createDirectories(tmp.resolve("busy"));
    Files.writeString(out.resolve("keep.txt"), "mine");
    Result r = weft("compile", model.toString(), "-o", out.toString());
    assertEquals(1, r.code(), r.err());
    assertTrue(r.err().contains("bundle directory is not empty"), r.err());
    assertFalse(r.out().contains("lowering"), "no compile stage should run: " + r.out());
    assertEquals("mine", Files.readString(out.resolve("keep.txt")));
  }

  @Test
  void versionPrintsTheBuildVersion() {
    Result r = weft("--version");
    assertEquals(0, r.code());
    assertTrue(r.out().startsWith("weft "), r.out());
  }

  @Test
  void runComputesAndWritesOutputs() throws IOException {
    Path model = writeModel(ADD_RELU);
    Path in = Files.createDirectories(tmp.resolve("in"));
    OnnxTestData.write(in.resolve("input_0.pb"), Tensor.ofFloats(new long[] {2, 3}, 1, -2, 3, -4, 5, -6), "a");
    OnnxTestData.write(in.resolve("input_1.pb"), Tensor.ofFloats(new long[] {3}, 0.5f, 0.5f, 0.5f), "b");
    Path out = tmp.resolve("out");
    Result r = weft("run", model.toString(), "--inputs", in.toString(), "--outputs", out.toString());
    assertEquals(0, r.code(), r.err());
    Tensor y = OnnxTestData.readTensor(out.resolve("output_0.pb"));
    // relu(a + 0.5), by hand.
    float[] expected = {1.5f, 0, 3.5f, 0, 5.5f, 0};
    assertEquals(DType.F32, y.dtype());
    for (int i = 0; i < 6; i++) assertEquals(expected[i], y.getFloat(i), 0f);
  }

  @Test
  void inspectShowsInputsOutputsAndOps() throws IOException {
    Result r = weft("inspect", writeModel(ADD_RELU).toString());
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("a: f32[2,3]"), r.out());
    assertTrue(r.out().contains("relu"), r.out());
    Result json = weft("inspect", writeModel(ADD_RELU).toString(), "--json");
    assertTrue(json.out().contains("\"nodes\": 2"), json.out());
    Result ir = weft("inspect", writeModel(ADD_RELU).toString(), "--ir");
    assertTrue(ir.out().contains("add(%a, %b)"), ir.out());
  }

  @Test
  void malformedModelIsAUserErrorWithLineAndColumn() throws IOException {
    Result r = weft("inspect", writeModel("module {\n  graph @main(%a: f32[2]) -> (%y) {\n    %y = relu(%a\n  }\n}\n").toString());
    assertEquals(1, r.code());
    assertTrue(r.err().contains("m.wir:4:"), r.err());
    assertFalse(r.err().contains("\tat "), "no stack trace without --verbose: " + r.err());
  }

  @Test
  void unknownOpAndTypeMismatchAreUserErrors() throws IOException {
    Result unknown = weft("inspect", writeModel("module {\n graph @main(%a: f32[2]) -> (%y) {\n  %y = frobnicate(%a)\n }\n}\n").toString());
    assertEquals(1, unknown.code());
    assertTrue(unknown.err().contains("frobnicate"), unknown.err());
    Result mismatch = weft("inspect",
        writeModel("module {\n graph @main(%a: f32[2], %b: i64[2]) -> (%y) {\n  %y = add(%a, %b)\n }\n}\n").toString());
    assertEquals(1, mismatch.code());
    assertTrue(mismatch.err().contains("i64"), mismatch.err());
  }

  @Test
  void undefinedValueCycleAndWrongAttributeKindAreUserErrorsWithLocations() throws IOException {
    Result undefined = weft("inspect", writeModel("module {\n graph @main(%a: f32[2]) -> (%y) {\n  %y = relu(%nope)\n }\n}\n").toString());
    assertEquals(1, undefined.code());
    assertTrue(undefined.err().contains("m.wir:3:") && undefined.err().contains("nope"), undefined.err());
    // A use before definition is how a cycle looks in the text form: %b feeds %a which feeds %b.
    Result cycle = weft("inspect", writeModel(
        "module {\n graph @main(%x: f32[2]) -> (%b) {\n  %a = add(%x, %b)\n  %b = relu(%a)\n }\n}\n").toString());
    assertEquals(1, cycle.code());
    assertTrue(cycle.err().contains("m.wir:3:"), cycle.err());
    Result attr = weft("inspect", writeModel(
        "module {\n graph @main(%x: f32[2,3]) -> (%y) {\n  %y = transpose(%x) {perm = \"oops\"}\n }\n}\n").toString());
    assertEquals(1, attr.code());
    assertTrue(attr.err().contains("m.wir:3:") && attr.err().contains("perm"), attr.err());
  }

  @Test
  void missingInputFileNamesTheInput() throws IOException {
    Path model = writeModel(ADD_RELU);
    Path in = Files.createDirectories(tmp.resolve("in"));
    Result r = weft("run", model.toString(), "--inputs", in.toString(), "--outputs", tmp.resolve("o").toString());
    assertEquals(1, r.code());
    assertTrue(r.err().contains("input_0.pb") && r.err().contains("'a'"), r.err());
  }

  @Test
  void wrongInputShapeIsRejectedBeforeRunning() throws IOException {
    Path model = writeModel(ADD_RELU);
    Path in = Files.createDirectories(tmp.resolve("in"));
    OnnxTestData.write(in.resolve("input_0.pb"), Tensor.ofFloats(new long[] {3}, 1, 2, 3), "a");
    OnnxTestData.write(in.resolve("input_1.pb"), Tensor.ofFloats(new long[] {3}, 1, 2, 3), "b");
    Result r = weft("run", model.toString(), "--inputs", in.toString(), "--outputs", tmp.resolve("o").toString());
    assertEquals(1, r.code());
    assertTrue(r.err().contains("shape [2,3]"), r.err());
  }

  @Test
  void badFlagsAndMissingFilesAreUserErrors() {
    assertEquals(1, weft("run", "--bogus").code());
    assertEquals(1, weft("inspect", tmp.resolve("nope.onnx").toString()).code());
    assertEquals(1, weft("inspect", "model.xyz").code());
  }

  @Test
  void garbageOnnxIsAUserError() throws IOException {
    Path p = tmp.resolve("bad.onnx");
    Files.write(p, new byte[] {0x0a, (byte) 0xff, (byte) 0xff, 0x12, 0x00, 0x7f});
    Result r = weft("inspect", p.toString());
    assertEquals(1, r.code());
    assertTrue(r.err().contains("bad.onnx"), r.err());
  }

  @Test
  void compiledEngineAndBundleRunsComputeTheSameOutputs() throws IOException {
    Path model = writeModel(ADD_RELU);
    Path in = Files.createDirectories(tmp.resolve("in"));
    OnnxTestData.write(in.resolve("input_0.pb"), Tensor.ofFloats(new long[] {2, 3}, 1, -2, 3, -4, 5, -6), "a");
    OnnxTestData.write(in.resolve("input_1.pb"), Tensor.ofFloats(new long[] {3}, 0.5f, 0.5f, 0.5f), "b");
    float[] expected = {1.5f, 0, 3.5f, 0, 5.5f, 0};   // relu(a + 0.5), by hand
    Result r = weft("run", model.toString(), "--inputs", in.toString(), "--outputs", tmp.resolve("o").toString(),
        "--engine", "compiled");
    assertEquals(0, r.code(), r.err());
    Tensor y = OnnxTestData.readTensor(tmp.resolve("o").resolve("output_0.pb"));
    for (int i = 0; i < 6; i++) assertEquals(expected[i], y.getFloat(i), 0f);
    Path bundle = tmp.resolve("bundle");
    Result c = weft("compile", model.toString(), "--target", "cpu", "-o", bundle.toString(), "--quiet");
    assertEquals(0, c.code(), c.err());
    assertTrue(Files.isRegularFile(bundle.resolve("manifest.json")));
    assertTrue(Files.isRegularFile(bundle.resolve("ranks/0/kernels.so")));
    Result b = weft("run", bundle.toString(), "--inputs", in.toString(), "--outputs", tmp.resolve("ob").toString());
    assertEquals(0, b.code(), b.err());
    Tensor z = OnnxTestData.readTensor(tmp.resolve("ob").resolve("output_0.pb"));
    for (int i = 0; i < 6; i++) assertEquals(expected[i], z.getFloat(i), 0f);
  }

  @Test
  void everyCommandHasExamplesInHelp() {
    for (String cmd : new String[] {"inspect", "run", "conformance"}) {
      Result r = weft(cmd, "--help");
      assertEquals(0, r.code());
      assertTrue(r.out().contains("Examples:"), cmd + ": " + r.out());
    }
  }
}
