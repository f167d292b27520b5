package dev.weft.frontend.torchscript.lower;

import static dev.weft.frontend.torchscript.lower.TsModules.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.bundle.DType;
import dev.weft.bundle.Tensor;
import dev.weft.frontend.torchscript.TorchScriptException;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The Python-level builtins scripted library code runs (list building, string find, grad and
 * device queries): they fold at import time, leaving only tensor work in the graph.
 */
class PythonLevelLoweringTest {
  @Test
  void fastPathChecksFoldLikeNnMultiheadAttention() {
    // the shape of nn.MultiheadAttention's fast-path test: every check folds, then the fused op runs
    List<Tensor> r = run("x", List.of(
        "checks = annotate(List[bool], [])",
        "if ops.prim.is_cuda(x):",
        "  _0 = True",
        "else:",
        "  _1 = str(ops.prim.device(x))",
        "  _0 = torch.ne(torch.find(_1, \"cpu\", 0, torch.len(_1)), -1)",
        "_2 = torch.append(checks, _0)",
        "_3 = torch.append(checks, torch.__not__(ops.prim.requires_grad(x)))",
        "if torch.is_grad_enabled():",
        "  ops.prim.RaiseException(\"grad\")",
        "if torch.__not__(torch.all(checks)):",
        "  ops.prim.RaiseException(\"slow path\")",
        "if torch.any([ops.prim.is_nested(x), torch.is_autocast_enabled()]):",
        "  ops.prim.RaiseException(\"nested\")",
        "return torch.mul(x, torch.len(checks))"),
        f32(shape(2), 1, 2));
    assertFloats(r.get(0), shape(2), 2, 4);
  }

  @Test
  void listsAndStrings() {
    List<Tensor> r = run("x", List.of(
        "_0 = torch.list(torch.slice(torch.size(x), 1))",
        "_1 = torch.add([torch.size(x, 0)], _0)",
        "if torch.__contains__([\"nearest\", \"area\"], \"area\"):",
        "  _2 = torch.view(x, _1)",
        "else:",
        "  _2 = x",
        "n = torch.__range_length(1, 10, 3)",
        "i = torch.__derive_index(2, 1, 3)",
        "return (_2, torch.mul(torch.ones([1]), n), torch.mul(torch.ones([1]), i), torch.find(\"abcabc\", \"c\", 3))"),
        f32(shape(2, 3), 1, 2, 3, 4, 5, 6));
    assertFloats(r.get(0), shape(2, 3), 1, 2, 3, 4, 5, 6);
    assertFloats(r.get(1), shape(1), 3);           // range(1, 10, 3) = 1, 4, 7
    assertFloats(r.get(2), shape(1), 7);           // 1 + 2 * 3
    assertLongs(r.get(3), shape(), 5);
  }

  @Test
  void tensorsFromPythonData() {
    List<Tensor> r = run("x", List.of(
        "return (torch.tensor([[0, 1], [2, 3]]), torch.tensor([1.5, 2]), torch.tensor([True, False]),",
        "  torch.tensor([1, 2], dtype=6), torch.is_floating_point(x), torch.all(torch.gt(x, 0)), torch.any(torch.gt(x, 2), 0),",
        "  torch.logical_or(torch.gt(x, 2), torch.lt(x, 1.5)), torch.logical_and(x, x))"),
        f32(shape(3), 1, 2, 3));
    assertLongs(r.get(0), shape(2, 2), 0, 1, 2, 3);
    assertFloats(r.get(1), shape(2), 1.5, 2);
    assertEquals(DType.BOOL, r.get(2).dtype());
    assertTrue(r.get(2).getBool(0) && !r.get(2).getBool(1));
    assertEquals(DType.F32, r.get(3).dtype());
    assertTrue(r.get(4).getBool(0));              // a folded Python bool comes back as a bool scalar
    assertTrue(r.get(5).getBool(0));
    assertTrue(r.get(6).getBool(0));
    Tensor or = r.get(7);
    assertTrue(or.getBool(0) && !or.getBool(1) && or.getBool(2));
    assertTrue(r.get(8).getBool(2));
    assertThrows(TorchScriptException.class, () -> run("x", List.of("return torch.tensor([[1], [2, 3]])"), f32(shape(1), 1)));
    assertThrows(TorchScriptException.class, () -> run("x", List.of("return torch.append((1, 2), 3)"), f32(shape(1), 1)));
  }
}
