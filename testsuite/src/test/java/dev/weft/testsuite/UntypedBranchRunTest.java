package dev.weft.testsuite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.bundle.DType;
import dev.weft.bundle.Tensor;
import dev.weft.bundle.program.UncompiledBranchException;
import dev.weft.compiler.BundleOutput;
import dev.weft.compiler.CompileOptions;
import dev.weft.compiler.Compiler;
import dev.weft.compiler.ShapeProfile;
import dev.weft.compiler.UntypedBranchModel;
import dev.weft.frontend.onnx.OnnxBackendRunner;
import dev.weft.ir.interp.Interpreter;
import dev.weft.runtime.Bundle;
import dev.weft.runtime.Session;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An {@code if} whose else branch types only at other lengths, compiled for the CPU at a length
 * where it does not: the compile warns, the bundle runs the then branch like the interpreter,
 * and a run that takes the else branch stops with an UncompiledBranchException naming If_0.
 */
class UntypedBranchRunTest {
  @TempDir Path tmp;

  @Test
  void thenBranchRunsAndElseBranchIsATypedError() {
    Tensor x = Tensor.of(DType.F32, new long[] {4}, new double[] {-1.5, -0.25, 0.5, 2});
    Tensor yes = Tensor.ofBools(new long[0], true);
    Object want = new Interpreter().run(UntypedBranchModel.module().main(), List.of(x, yes)).get(0);
    List<String> said = new ArrayList<>();
    ShapeProfile shapes = ShapeProfile.parse("x=4,flag=");
    Compiler.Compilation c = Compiler.compile(UntypedBranchModel.module(), new CompileOptions("cpu", shapes, null, "fp32"), said::add);
    List<String> warnings = said.stream().filter(s -> s.startsWith("warning: ")).toList();
    assertEquals(1, warnings.size(), "one warning line: " + said);
    assertTrue(warnings.get(0).startsWith("warning: If_0 else branch (taken when the condition is false) was not compiled: "), warnings.get(0));
    var manifest = BundleOutput.write(c, tmp.resolve("b"));
    String out = manifest.outputs().get(0).name();
    try (Bundle bundle = Bundle.load(tmp.resolve("b")); Session s = bundle.session("cpu")) {
      Tensor got = s.run(Map.of("x", x, "flag", yes)).get(out);
      assertNull(OnnxBackendRunner.compare(want, got, 1e-5, 1e-6), "then branch vs interpreter");
      UncompiledBranchException e = assertThrows(UncompiledBranchException.class,
          () -> s.run(Map.of("x", x, "flag", Tensor.ofBools(new long[0], false))));
      assertTrue(e.getMessage().contains("If_0 else branch (taken when the condition is false) was not compiled: "), e.getMessage());
      assertTrue(e.getMessage().endsWith(" at the bound shapes x=4,flag="), e.getMessage());
      // the session survives the failed run
      assertNull(OnnxBackendRunner.compare(want, s.run(Map.of("x", x, "flag", yes)).get(out), 1e-5, 1e-6));
    }
  }
}
