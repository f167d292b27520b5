package dev.weft.compiler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.bundle.DType;
import dev.weft.bundle.Tensor;
import dev.weft.bundle.program.Step;
import dev.weft.bundle.program.UncompiledBranchException;
import dev.weft.codegen.lower.LoweringException;
import dev.weft.ir.Module;
import dev.weft.ir.Node;
import dev.weft.ir.TensorType;
import dev.weft.ir.interp.Interpreter;
import dev.weft.passes.PassContext;
import dev.weft.passes.PassManager;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * An {@code if} whose else branch types only at other shapes (it reshapes x to rows of 3, which a
 * length of 4 does not allow): bound to 4, fold-shapes gives the if the then branch's static
 * type, the else branch becomes a fail step, and the program runs the then branch like the
 * interpreter and stops with a typed error naming the node when the else branch is taken.
 */
class UntypedBranchLoweringTest {
  static ShapeProfile at(long n) {
    return new ShapeProfile(Map.of("x", new long[] {n}, "flag", new long[0]), Map.of("x", new long[] {n}, "flag", new long[0]));
  }

  @Test
  void untypedBranchBecomesAFailStepAndTheOtherRuns() {
    Tensor x = ProgramLoweringTest.random(3, 4);
    Tensor yes = Tensor.ofBools(new long[0], true);
    Object want = new Interpreter().run(UntypedBranchModel.module().main(), List.of(x, yes)).get(0);
    Module m = UntypedBranchModel.module();
    ShapeBinding.bind(m.main(), at(4));
    PassManager.parse(PassManager.DEFAULT_PIPELINE).run(m, new PassContext().verify(false));
    Node top = m.main().nodes().stream().filter(n -> n.opName().equals("if")).findFirst().orElseThrow();
    assertEquals(TensorType.of(DType.F32, 4), top.output(0).type(), "the if takes the then branch's type");
    assertEquals(TensorType.of(DType.F32, 4), m.main().outputs().get(0).type(), "and its consumer is static too");

    ProgramLowering.Result lowered = ProgramLowering.lower(m.main(), LoweringOptions.host());
    Step.If step = lowered.steps().stream().filter(s -> s instanceof Step.If).map(s -> (Step.If) s).findFirst().orElseThrow();
    assertTrue(step.then().stream().anyMatch(s -> s instanceof Step.Launch), "the then branch is compiled: " + step.then());
    assertEquals(1, step.otherwise().size());
    String message = ((Step.Fail) step.otherwise().get(0)).message();
    assertTrue(message.startsWith("If_0 else branch (taken when the condition is false) was not compiled: "), message);
    assertTrue(message.endsWith(" at the bound shapes x=4,flag="), message);
    assertEquals(List.of(message), lowered.uncompiled());

    ArenaPlanner.Plan plan = ArenaPlanner.plan(lowered.buffers(), lowered.steps());
    String out = m.main().outputs().get(0).name();
    ProgramLoweringTest.assertClose((Tensor) want, ProgramEvaluator.run(lowered, plan, Map.of("x", x, "flag", yes)).get(out));
    UncompiledBranchException e = assertThrows(UncompiledBranchException.class,
        () -> ProgramEvaluator.run(lowered, plan, Map.of("x", x, "flag", Tensor.ofBools(new long[0], false))));
    assertEquals(message, e.getMessage());
  }

  @Test
  void atShapesWhereBothBranchesTypeNothingIsLeftOut() {
    Tensor x = ProgramLoweringTest.random(5, 6);
    Module m = UntypedBranchModel.module();
    ShapeBinding.bind(m.main(), at(6));
    PassManager.parse(PassManager.DEFAULT_PIPELINE).run(m, new PassContext().verify(false));
    ProgramLowering.Result lowered = ProgramLowering.lower(m.main(), LoweringOptions.host());
    assertEquals(List.of(), lowered.uncompiled());
    ArenaPlanner.Plan plan = ArenaPlanner.plan(lowered.buffers(), lowered.steps());
    String out = m.main().outputs().get(0).name();
    for (boolean flag : new boolean[] {true, false}) {
      Tensor f = Tensor.ofBools(new long[0], flag);
      Object want = new Interpreter().run(UntypedBranchModel.module().main(), List.of(x, f)).get(0);
      ProgramLoweringTest.assertClose((Tensor) want, ProgramEvaluator.run(lowered, plan, Map.of("x", x, "flag", f)).get(out));
    }
  }

  @Test
  void whenNeitherBranchCompilesTheCompileFails() {
    Module m = UntypedBranchModel.module();
    ShapeBinding.bind(m.main(), at(4));
    PassManager.parse(PassManager.DEFAULT_PIPELINE).run(m, new PassContext().verify(false));
    Node top = m.main().nodes().stream().filter(n -> n.opName().equals("if")).findFirst().orElseThrow();
    // The then branch's result no longer matches the if's type: neither branch fits.
    top.output(0).setType(TensorType.of(DType.F32, 5));
    LoweringException e = assertThrows(LoweringException.class, () -> ProgramLowering.lower(m.main(), LoweringOptions.host()));
    assertTrue(e.getMessage().contains("neither branch compiles at the bound shapes x=4,flag="), e.getMessage());
  }
}
