package dev.weft.frontend.torchscript.lower;

import static org.junit.jupiter.api.Assertions.*;

import dev.weft.bundle.DType;
import dev.weft.bundle.Tensor;
import dev.weft.frontend.torchscript.PyNone;
import dev.weft.frontend.torchscript.ScriptObject;
import dev.weft.frontend.torchscript.TorchScriptCoverage;
import dev.weft.frontend.torchscript.TorchScriptException;
import dev.weft.frontend.torchscript.TorchScriptImporter;
import dev.weft.ir.Dim;
import dev.weft.ir.Module;
import dev.weft.ir.Node;
import dev.weft.ir.TensorType;
import dev.weft.ir.Verifier;
import dev.weft.ir.interp.Interpreter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** Lowering of hand-written archives (test doubles for data.pkl: ScriptObjects built here). */
class LoweringTest {
  private static ScriptObject module(String cls, Object... kv) {
    LinkedHashMap<String, Object> attrs = new LinkedHashMap<>();
    attrs.put("training", true);            // the lowering forces eval mode regardless
    for (int i = 0; i < kv.length; i += 2) attrs.put((String) kv[i], kv[i + 1]);
    return new ScriptObject(cls, attrs);
  }

  private static Module lower(ScriptObject root, TreeMap<String, String> code, List<Object> constants, TensorType... inputs) {
    Module m = TorchScriptImporter.importModule(root, constants, code, "test.pt", List.of(inputs));
    new Verifier().verify(m);
    return m;
  }

  private static Tensor run(Module m, Tensor... inputs) { return (Tensor) new Interpreter().run(m.main(), List.of((Object[]) inputs)).get(0); }

  private static List<String> ops(Module m) { return m.main().nodes().stream().map(Node::opName).toList(); }

  private static final String LINEAR = """
      class Linear(Module):
        __parameters__ = ["weight", "bias", ]
        weight : Tensor
        bias : Optional[Tensor]
        training : bool
        def forward(self: __torch__.torch.nn.modules.linear.___torch_mangle_3.Linear,
          input: Tensor) -> Tensor:
          return torch.linear(input, self.weight, self.bias)
      """;

  @Test
  void inlinesSubmodulesFoldsTrainingAndNamesParametersByPath() {
    TreeMap<String, String> code = new TreeMap<>();
    code.put("__torch__.py", """
        class Net(Module):
          __parameters__ = []
          training : bool
          scale : Final[float] = 2.
          layers : __torch__.torch.nn.modules.container.ModuleList
          def forward(self: __torch__.Net,
            x: Tensor) -> Tensor:
            layers = self.layers
            _0 = getattr(layers, "0")
            y = (_0).forward(x, )
            if self.training:
              y = torch.dropout(y, 0.5, True)
            else:
              pass
            for i in range(3):
              y = torch.add(y, 1, alpha=2)
            if torch.eq(torch.dim(y), 2):
              y = torch.mul(y, self.scale)
            else:
              ops.prim.RaiseException("AssertionError: ")
            return y
        """);
    code.put("__torch__/torch/nn/modules/linear/___torch_mangle_3.py", LINEAR);
    Tensor w = Tensor.ofFloats(new long[] {2, 2}, 1, 2, 3, 4);
    Tensor b = Tensor.ofFloats(new long[] {2}, 10, 20);
    ScriptObject lin = module("__torch__.torch.nn.modules.linear.___torch_mangle_3.Linear", "weight", w, "bias", b);
    ScriptObject list = module("__torch__.torch.nn.modules.container.ModuleList", "0", lin);
    ScriptObject root = module("__torch__.Net", "layers", list);
    Module m = lower(root, code, List.of(), TensorType.of(DType.F32, 1, 2));
    assertFalse(ops(m).contains("dropout"));
    assertEquals(3, ops(m).stream().filter("add"::equals).count() - 1);     // 3 unrolled adds + the bias add
    assertTrue(m.main().nodes().stream().anyMatch(n -> n.outputCount() == 1 && n.output(0).name().startsWith("layers.0.weight")),
        "parameters are named by module path");
    // x = [1, 1]: linear = [1+2+10, 3+4+20] = [13, 27]; +6; *2
    Tensor y = run(m, Tensor.ofFloats(new long[] {1, 2}, 1, 1));
    assertEquals(38f, y.getFloat(0));
    assertEquals(66f, y.getFloat(1));
  }

  @Test
  void sizesBecomeShapeExpressionsForSymbolicDims() {
    TreeMap<String, String> code = new TreeMap<>();
    code.put("__torch__.py", """
        class M(Module):
          def forward(self: __torch__.M, x: Tensor) -> Tensor:
            B, T, = torch.size(x)
            _0 = torch.view(x, [B, T, 1])
            _1 = torch.arange(0, T, dtype=4, layout=None, device=ops.prim.device(x))
            return torch.add(_0, torch.view(_1, [1, T, 1]))
        """);
    ScriptObject root = module("__torch__.M");
    Module m = lower(root, code, List.of(), TensorType.of(DType.I64, new Dim.Symbol("batch"), new Dim.Symbol("seq")));
    assertTrue(ops(m).contains("shape_of"));
    Tensor y = run(m, Tensor.ofLongs(new long[] {2, 3}, 0, 0, 0, 10, 10, 10));
    assertArrayEquals(new long[] {2, 3, 1}, y.shape());
    assertEquals(12, y.getLong(5));
    Tensor z = run(m, Tensor.ofLongs(new long[] {1, 4}, 5, 5, 5, 5));   // another shape, same graph
    assertEquals(8, z.getLong(3));
  }

  @Test
  void functionsWithDefaultsAndScalarArithmetic() {
    TreeMap<String, String> code = new TreeMap<>();
    code.put("__torch__.py", """
        class M(Module):
          def forward(self: __torch__.M, x: Tensor) -> Tensor:
            _0 = __torch__.torch.nn.functional.scale
            return _0(x, )
        """);
    code.put("__torch__/torch/nn/functional.py", """
        def scale(input: Tensor,
            factor: Optional[float]=None,
            n: int=4) -> Tensor:
          if torch.__is__(factor, None):
            f = torch.div(1., torch.sqrt(n))
          else:
            f = unchecked_cast(float, factor)
          return torch.mul(input, annotate(float, f))
        """);
    Module m = lower(module("__torch__.M"), code, List.of(), TensorType.of(DType.F32, 2));
    assertEquals(List.of("constant", "mul"), ops(m));
    assertEquals(1.5f, run(m, Tensor.ofFloats(new long[] {2}, 3, 4)).getFloat(0));
  }

  @Test
  void constantsAndDtypeCodes() {
    TreeMap<String, String> code = new TreeMap<>();
    code.put("__torch__.py", """
        class M(Module):
          def forward(self: __torch__.M, x: Tensor) -> Tensor:
            _0 = torch.mul(torch.rsub(torch.to(x, 6), 1.), CONSTANTS.c0)
            return torch.masked_fill(_0, torch.eq(x, 0), -inf)
        """);
    Module m = lower(module("__torch__.M"), code, List.of(Tensor.ofDoubles(new long[0], -2)), TensorType.of(DType.I64, 3));
    Tensor y = run(m, Tensor.ofLongs(new long[] {3}, 0, 1, 3));
    assertEquals(DType.F32, y.dtype());
    assertEquals(Float.NEGATIVE_INFINITY, y.getFloat(0));
    assertEquals(0.0, Math.abs(y.getFloat(1)));
    assertEquals(4f, y.getFloat(2));
  }

  @Test
  void errorsNameFileLineAndColumn() {
    TreeMap<String, String> code = new TreeMap<>();
    code.put("__torch__.py", """
        class M(Module):
          def forward(self: __torch__.M, x: Tensor) -> Tensor:
            if torch.gt(torch.sum(x), 0):
              return x
            return torch.frobnicate(x)
        """);
    TorchScriptException e = assertThrows(TorchScriptException.class,
        () -> lower(module("__torch__.M"), code, List.of(), TensorType.of(DType.F32, 2)));
    assertTrue(e.getMessage().contains("code/__torch__.py:3:"), e.getMessage());
    assertTrue(e.getMessage().contains("data-dependent"), e.getMessage());
    TorchScriptCoverage.Report r = TorchScriptCoverage.scan(code);
    assertEquals(1, r.unsupported().size());
    assertEquals("aten::frobnicate", r.unsupported().get(0).op());
    assertEquals(List.of("code/__torch__.py:5:12"), r.unsupported().get(0).uses());

    code.put("__torch__.py", code.get("__torch__.py").replace("torch.gt(torch.sum(x), 0)", "False"));
    TorchScriptException u = assertThrows(TorchScriptException.class,
        () -> lower(module("__torch__.M"), code, List.of(), TensorType.of(DType.F32, 2)));
    assertTrue(u.getMessage().contains("code/__torch__.py:5:12: unsupported op aten::frobnicate"), u.getMessage());
  }

  @Test
  void recursionAndRaisesAreTypedErrors() {
    TreeMap<String, String> code = new TreeMap<>();
    code.put("__torch__.py", """
        class M(Module):
          def forward(self: __torch__.M, x: Tensor) -> Tensor:
            return (self).forward(x, )
        """);
    TorchScriptException e = assertThrows(TorchScriptException.class,
        () -> lower(module("__torch__.M"), code, List.of(), TensorType.of(DType.F32, 2)));
    assertTrue(e.getMessage().contains("nested deeper"), e.getMessage());
    code.put("__torch__.py", """
        class M(Module):
          def forward(self: __torch__.M, x: Tensor) -> Tensor:
            if torch.ne(torch.dim(x), 4):
              ops.prim.RaiseException(torch.format("expected 4D input (got {}D input)", torch.dim(x)))
            return x
        """);
    TorchScriptException r = assertThrows(TorchScriptException.class,
        () -> lower(module("__torch__.M"), code, List.of(), TensorType.of(DType.F32, 2)));
    assertTrue(r.getMessage().contains("expected 4D input (got 1D input)"), r.getMessage());
    code.put("__torch__.py", "class M(Module):\n  def forward(self, x: Tensor) -> Tensor:\n    while True:\n      pass\n");
    assertThrows(TorchScriptException.class, () -> lower(module("__torch__.M"), code, List.of(), TensorType.of(DType.F32, 2)));
  }

  @Test
  void missingClassOrNonModuleRoot() {
    TreeMap<String, String> code = new TreeMap<>();
    assertThrows(TorchScriptException.class,
        () -> lower(module("__torch__.Missing"), code, List.of(), TensorType.of(DType.F32, 2)));
    assertThrows(TorchScriptException.class,
        () -> TorchScriptImporter.importModule(PyNone.NONE, List.of(), code, "x.pt", List.of()));
  }
}
