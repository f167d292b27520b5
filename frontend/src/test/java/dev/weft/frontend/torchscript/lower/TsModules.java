package dev.weft.frontend.torchscript.lower;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.bundle.DType;
import dev.weft.bundle.Tensor;
import dev.weft.frontend.torchscript.ScriptObject;
import dev.weft.frontend.torchscript.TorchScriptImporter;
import dev.weft.ir.Module;
import dev.weft.ir.TensorType;
import dev.weft.ir.Verifier;
import dev.weft.ir.interp.Interpreter;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.TreeMap;

/**
 * Test helper: a one-class TorchScript module {@code __torch__.M} written in source form, with a
 * hand-built data.pkl (a ScriptObject with the given attributes), lowered and run on the interpreter.
 */
final class TsModules {
  private TsModules() {}

  /** forward(self, x, y, ...) with the given parameter names and body (indented by the caller's lines). */
  static String source(String params, String... body) {
    StringBuilder sb = new StringBuilder("class M(Module):\n  training : bool\n  def forward(self: __torch__.M");
    for (String p : params.split(",")) if (!p.isBlank()) sb.append(", ").append(p.trim()).append(": Tensor");
    sb.append(") -> Tensor:\n");
    for (String line : body) sb.append("    ").append(line).append('\n');
    return sb.toString();
  }

  static Module lower(String source, List<Object> constants, LinkedHashMap<String, Object> attrs, TensorType... inputs) {
    TreeMap<String, String> code = new TreeMap<>();
    code.put("__torch__.py", source);
    LinkedHashMap<String, Object> at = new LinkedHashMap<>(attrs);
    at.put("training", true);          // the lowering forces eval mode regardless
    Module m = TorchScriptImporter.importModule(new ScriptObject("__torch__.M", at), constants, code, "t.pt", List.of(inputs));
    new Verifier().verify(m);
    return m;
  }

  /** Lowers {@code forward(params)} with the body and runs it on the inputs (types taken from them). */
  static List<Tensor> run(String params, List<String> body, Tensor... inputs) {
    return run(params, body, new LinkedHashMap<>(), inputs);
  }

  static List<Tensor> run(String params, List<String> body, LinkedHashMap<String, Object> attrs, Tensor... inputs) {
    TensorType[] types = Arrays.stream(inputs).map(t -> TensorType.of(t.dtype(), t.shape())).toArray(TensorType[]::new);
    Module m = lower(source(params, body.toArray(String[]::new)), List.of(), attrs, types);
    return new Interpreter().run(m.main(), List.of((Object[]) inputs)).stream().map(o -> (Tensor) o).toList();
  }

  static List<String> ops(Module m) { return m.main().nodes().stream().map(n -> n.opName()).toList(); }

  static Tensor f32(long[] shape, float... v) { return Tensor.ofFloats(shape, v); }

  static Tensor i64(long[] shape, long... v) { return Tensor.ofLongs(shape, v); }

  static long[] shape(long... s) { return s; }

  static void assertFloats(Tensor t, long[] shape, double... expected) {
    assertArrayEquals(shape, t.shape(), "shape");
    assertEquals(expected.length, t.size());
    for (int i = 0; i < expected.length; i++) {
      if (Double.isNaN(expected[i])) {
        assertTrue(Double.isNaN(t.getDouble(i)), "element " + i + " of " + t + " is not NaN");
        continue;
      }
      assertEquals(expected[i], t.getDouble(i), 1e-5 + 1e-5 * Math.abs(expected[i]), "element " + i + " of " + t);
    }
  }

  static void assertLongs(Tensor t, long[] shape, long... expected) {
    assertArrayEquals(shape, t.shape(), "shape");
    assertEquals(DType.I64, t.dtype());
    long[] got = new long[(int) t.size()];
    for (int i = 0; i < got.length; i++) got[i] = t.getLong(i);
    assertArrayEquals(expected, got, t.toString());
  }
}
