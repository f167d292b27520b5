package dev.weft.frontend.torchscript.source;

import static org.junit.jupiter.api.Assertions.*;

import dev.weft.frontend.torchscript.TsCorpus;
import dev.weft.frontend.torchscript.source.Ast.*;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

class SourceParserTest {
  private static SourceFile parse(String src) { return SourceParser.parse("t.py", src); }

  private static Expr expr(String src) {
    Stmt s = parse("x = " + src + "\n").body().get(0);
    return ((Assign) s).value();
  }

  @Test
  void corpusCodeFilesParse() throws Exception {
    Path models = TsCorpus.models("TorchScript code.txt parse");
    Assumptions.assumeTrue(models != null);
    List<Path> files;
    try (Stream<Path> s = Files.walk(models)) {
      files = s.filter(p -> p.getFileName().toString().endsWith(".code.txt")).sorted().toList();
    }
    assertFalse(files.isEmpty());
    for (Path f : files) {
      SourceFile sf = SourceParser.parse(f.toString(), Files.readString(f));
      assertFalse(sf.body().isEmpty(), f.toString());
      assertInstanceOf(FunctionDef.class, sf.body().get(0), f.toString());
    }
  }

  @Test
  void classWithParametersConstantsAndMethods() {
    SourceFile f = parse("""
        class Linear(Module):
          __parameters__ = ["weight", "bias", ]
          __buffers__ = []
          weight : Tensor
          training : bool
          in_features : Final[int] = 256
          padding : Final[Tuple[int, int]] = (1, 1)
          __annotations__["0"] = __torch__.torch.nn.modules.linear.___torch_mangle_3.Linear
          def forward(self: __torch__.torch.nn.modules.linear.Linear,
            input: Tensor) -> Tensor:
            weight = self.weight
            return torch.linear(input, weight, bias)
        """);
    ClassDef c = (ClassDef) f.body().get(0);
    assertEquals("Linear", c.name());
    assertEquals(List.of(new Name(new Pos(1, 14), "Module")), c.bases());
    Assign params = (Assign) c.body().get(0);
    assertEquals(2, ((ListExpr) params.value()).items().size());
    AnnAssign w = (AnnAssign) c.body().get(2);
    assertEquals("weight", ((Name) w.target()).id());
    assertNull(w.value());
    AnnAssign in = (AnnAssign) c.body().get(4);
    assertEquals(256L, ((IntLit) in.value()).value());
    Subscript fin = (Subscript) in.annotation();
    assertEquals("Final", ((Name) fin.value()).id());
    AnnAssign pad = (AnnAssign) c.body().get(5);
    assertEquals(2, ((TupleExpr) pad.value()).items().size());
    Assign ann = (Assign) c.body().get(6);
    assertInstanceOf(Subscript.class, ann.targets().get(0));
    FunctionDef fn = (FunctionDef) c.body().get(7);
    assertEquals(2, fn.params().size());
    assertEquals("input", fn.params().get(1).name());
    assertEquals(new Pos(10, 5), fn.params().get(1).pos());
    assertEquals("Tensor", ((Name) fn.returns()).id());
    Return r = (Return) fn.body().get(1);
    Call call = (Call) r.value();
    assertEquals(3, call.args().size());
    assertEquals(12, call.pos().line());
  }

  @Test
  void defaultsKeywordsAndTupleUnpacking() {
    SourceFile f = parse("""
        def f(input: Tensor,
            eps: float=1.0000000000000001e-05, dim: Optional[int]=None) -> Tensor:
          B, T, C, = torch.size(x)
          _0 = torch.arange(0, T, dtype=4, layout=None, device=ops.prim.device(idx))
          return (B, T)
        """);
    FunctionDef fn = (FunctionDef) f.body().get(0);
    assertEquals(1.0000000000000001e-05, ((FloatLit) fn.params().get(1).defaultValue()).value());
    assertInstanceOf(NoneLit.class, fn.params().get(2).defaultValue());
    Assign unpack = (Assign) fn.body().get(0);
    assertEquals(3, ((TupleExpr) unpack.targets().get(0)).items().size());
    Call arange = (Call) ((Assign) fn.body().get(1)).value();
    assertEquals(2, arange.args().size());
    assertEquals(List.of("dtype", "layout", "device"), arange.keywords().stream().map(Keyword::name).toList());
    Ast.Attribute fnName = (Ast.Attribute) arange.func();
    assertEquals("arange", fnName.name());
    assertEquals(2, ((TupleExpr) ((Return) fn.body().get(2)).value()).items().size());
  }

  @Test
  void ifElifElseForWhileRaiseAssert() {
    SourceFile f = parse("""
        def g(x: int) -> int:
          if torch.__isnot__(x, None):
            y = 1
          elif x < 0:
            y = 2
          else:
            pass
          for i in range(torch.sub(torch.len(size), 2)):
            y = torch.mul(y, size[torch.add(i, 2)])
          while x > 0:
            x -= 1
            break
          ops.prim.RaiseException("AssertionError: ", "builtins.ValueError")
          raise Exception("boom")
          assert x == 1, "msg"
          return y
        """);
    FunctionDef fn = (FunctionDef) f.body().get(0);
    If i = (If) fn.body().get(0);
    If elif = (If) i.orElse().get(0);
    assertInstanceOf(Compare.class, elif.test());
    assertInstanceOf(Pass.class, elif.orElse().get(0));
    For loop = (For) fn.body().get(1);
    assertEquals("i", ((Name) loop.target()).id());
    While w = (While) fn.body().get(2);
    assertInstanceOf(AugAssign.class, w.body().get(0));
    assertInstanceOf(Break.class, w.body().get(1));
    assertInstanceOf(ExprStmt.class, fn.body().get(3));
    assertInstanceOf(Raise.class, fn.body().get(4));
    Assert a = (Assert) fn.body().get(5);
    assertEquals("msg", ((StrLit) a.message()).value());
  }

  @Test
  void expressionsAndPrecedence() {
    Binary b = (Binary) expr("1 + 2 * 3");
    assertEquals(BinOp.ADD, b.op());
    assertEquals(BinOp.MUL, ((Binary) b.right()).op());
    Binary chain = (Binary) expr("a - b - c");
    assertInstanceOf(Binary.class, chain.left());           // left-associative
    Unary neg = (Unary) expr("-inf");
    assertEquals("inf", ((Name) neg.operand()).id());
    Unary negPow = (Unary) expr("-2 ** 2");                 // -(2 ** 2), as in Python
    assertEquals(BinOp.POW, ((Binary) negPow.operand()).op());
    BoolOp or = (BoolOp) expr("a or b and not c");
    assertFalse(or.and());
    assertInstanceOf(BoolOp.class, or.values().get(1));
    Compare cmp = (Compare) expr("a is not None");
    assertEquals(List.of(CmpOp.IS_NOT), cmp.ops());
    Compare in = (Compare) expr("a not in b");
    assertEquals(List.of(CmpOp.NOT_IN), in.ops());
    IfExp ife = (IfExp) expr("1 if c else 2");
    assertEquals("c", ((Name) ife.test()).id());
    DictExpr d = (DictExpr) expr("{\"a\": 1, 'b': [1, 2.5, None, True, False]}");
    assertEquals("b", ((StrLit) d.keys().get(1)).value());
    assertEquals(-1L, ((IntLit) ((Unary) expr("-1")).operand()).value() * -1);
    assertEquals(Long.MIN_VALUE, ((IntLit) ((Unary) expr("-9223372036854775808")).operand()).value());
    assertEquals(9223372036854775807L, ((IntLit) expr("9223372036854775807")).value());
    assertEquals("a\n\"b'", ((StrLit) expr("'a\\n\"b\\''")).value());
  }

  @Test
  void subscriptsAndSlices() {
    Subscript s = (Subscript) expr("x[:, 1:, ::2, 3]");
    TupleExpr t = (TupleExpr) s.index();
    Slice all = (Slice) t.items().get(0);
    assertNull(all.lower());
    assertNull(all.upper());
    assertEquals(1L, ((IntLit) ((Slice) t.items().get(1)).lower()).value());
    assertEquals(2L, ((IntLit) ((Slice) t.items().get(2)).step()).value());
    assertEquals(3L, ((IntLit) t.items().get(3)).value());
    Call u = (Call) expr("unchecked_cast(int, padding_idx)");
    assertEquals("unchecked_cast", ((Name) u.func()).id());
    Call g = (Call) expr("getattr(blocks, \"0\")");
    assertEquals("0", ((StrLit) g.args().get(1)).value());
    Ast.Attribute c = (Ast.Attribute) expr("CONSTANTS.c0");
    assertEquals("c0", c.name());
    Call m = (Call) expr("(tok_emb).forward(idx, )");
    assertEquals(1, m.args().size());
  }

  @Test
  void bracketsContinueLinesAndCommentsVanish() {
    SourceFile f = parse("""
        # leading comment

        def f(a,   # trailing comment
              b):
          x = [1,
        2,
                 3]   # odd indentation inside brackets is fine
          y = a + \\
              b

          # a comment at another indentation
          return x
        """);
    FunctionDef fn = (FunctionDef) f.body().get(0);
    assertEquals(3, fn.body().size());
    assertEquals(3, ((ListExpr) ((Assign) fn.body().get(0)).value()).items().size());
    assertEquals(new Pos(3, 1), fn.pos());
  }

  @Test
  void noTrailingNewlineAndTabs() {
    SourceFile f = parse("def f():\n\tif x:\n\t\treturn 1\n\treturn 2");
    FunctionDef fn = (FunctionDef) f.body().get(0);
    assertEquals(2, fn.body().size());
  }

  @Test
  void malformedSourceNamesFileLineColumn() {
    assertError("def f(:\n  pass\n", 1, 7);
    assertError("x = (1, 2\n", 2, 1);
    assertError("def f():\n    x = 1\n  y = 2\n", 3, 3);            // dedent to no outer level
    assertError("x = 1\n    y = 2\n", 2, 5);                        // unexpected indent
    assertError("x = 1 $ 2\n", 1, 7);
    assertError("x = 'abc\n", 1, 5);
    assertError("x = 99999999999999999999\n", 1, 5);
    assertError("  x = 1\n", 1, 3);
    assertError("f(a=1, 2)\n", 1, 8);
    assertError("if x:\npass\n", 2, 1);
  }

  @Test
  void deepNestingIsATypedError() {
    String deep = "x = " + "(".repeat(5000) + "1" + ")".repeat(5000) + "\n";
    TorchScriptSyntaxException e = assertThrows(TorchScriptSyntaxException.class, () -> parse(deep));
    assertTrue(e.getMessage().contains("nested deeper"), e.getMessage());
    assertThrows(TorchScriptSyntaxException.class, () -> parse("x = " + "-".repeat(5000) + "1\n"));
    assertThrows(TorchScriptSyntaxException.class, () -> parse("x = " + "not ".repeat(5000) + "1\n"));
    assertThrows(TorchScriptSyntaxException.class, () -> parse("x = 2" + " ** 2".repeat(5000) + "\n"));
    assertThrows(TorchScriptSyntaxException.class, () -> parse("x = 1" + " if c else 1".repeat(5000) + "\n"));
    assertThrows(TorchScriptSyntaxException.class, () -> parse("x = 1" + " + 1".repeat(50000) + "\n"));
    assertThrows(TorchScriptSyntaxException.class, () -> parse("x = a" + ".b".repeat(50000) + "\n"));
    assertThrows(TorchScriptSyntaxException.class, () -> parse("x = a" + "[0]".repeat(50000) + "\n"));
    StringBuilder blocks = new StringBuilder();
    for (int i = 0; i < 5000; i++) blocks.append(" ".repeat(i)).append("if x:\n");
    blocks.append(" ".repeat(5000)).append("pass\n");
    TorchScriptSyntaxException b = assertThrows(TorchScriptSyntaxException.class, () -> parse(blocks.toString()));
    assertTrue(b.getMessage().contains("blocks nested deeper"), b.getMessage());
  }

  @Test
  void nestingUpToTheLimitParses() {
    int n = SourceParser.DEFAULT_MAX_NESTING - 1;
    parse("x = " + "(".repeat(n) + "1" + ")".repeat(n) + "\n");
    parse("x = " + "-".repeat(n) + "1\n");
    parse("x = [" + "-1, ".repeat(5000) + "]\n");        // prefix runs end at each operand
    parse("x = [" + "2 ** 2, ".repeat(5000) + "]\n");    // right nesting ends at each comma
    StringBuilder blocks = new StringBuilder();
    for (int i = 0; i < SourceParser.DEFAULT_MAX_BLOCKS - 1; i++) blocks.append(" ".repeat(i)).append("if x:\n");
    blocks.append(" ".repeat(SourceParser.DEFAULT_MAX_BLOCKS - 1)).append("pass\n");
    parse(blocks.toString());
  }

  private static void assertError(String src, int line, int col) {
    TorchScriptSyntaxException e = assertThrows(TorchScriptSyntaxException.class, () -> parse(src), src);
    assertEquals("t.py", e.file());
    assertEquals(line, e.line(), e.getMessage());
    assertEquals(col, e.column(), e.getMessage());
  }
}
