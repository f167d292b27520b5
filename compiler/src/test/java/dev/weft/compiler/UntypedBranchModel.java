package dev.weft.compiler;

import dev.weft.bundle.DType;
import dev.weft.bundle.Tensor;
import dev.weft.ir.Attribute;
import dev.weft.ir.Dim;
import dev.weft.ir.Graph;
import dev.weft.ir.GraphBuilder;
import dev.weft.ir.Location;
import dev.weft.ir.Module;
import dev.weft.ir.Shape;
import dev.weft.ir.TensorType;
import dev.weft.ir.Value;
import java.util.List;
import java.util.Map;

/**
 * An {@code if} whose else branch types only at some lengths: it reshapes x to rows of 3, so at
 * a length of 4 only the then branch compiles. Shared by the lowering test here and the
 * testsuite's bundle run test (through this module's test-jar).
 */
public final class UntypedBranchModel {
  private UntypedBranchModel() {}

  /** y = flag ? tanh(x) * 2 : flatten(reshape(x, [-1, 3])) + 1; z = y - 0.5; x is f32[n], flag a bool scalar; the if is If_0. */
  public static Module module() {
    Graph g = new Graph("m");
    Value x = g.addInput("x", new TensorType(DType.F32, Shape.of(Dim.sym("n"))));
    Value flag = g.addInput("flag", new TensorType(DType.BOOL, Shape.scalar()));
    GraphBuilder b = new GraphBuilder(g);
    Graph then = new Graph("then");
    GraphBuilder tb = new GraphBuilder(then);
    then.addOutput(tb.op1("mul", tb.op1("tanh", x), tb.constant(Tensor.scalar(DType.F32, 2))));
    Graph otherwise = new Graph("else");
    GraphBuilder eb = new GraphBuilder(otherwise);
    Value rows = eb.op1("reshape", Map.of(), x, eb.constant(Tensor.ofLongs(new long[] {2}, -1, 3)));
    Value flat = eb.op1("reshape", Map.of(), rows, eb.constant(Tensor.ofLongs(new long[] {1}, -1)));
    otherwise.addOutput(eb.op1("add", flat, eb.constant(Tensor.scalar(DType.F32, 1))));
    b.at(Location.named("m.onnx", "If_0"));
    Value y = b.op("if", List.of(flag), Map.of("then_branch", Attribute.of(then), "else_branch", Attribute.of(otherwise))).get(0);
    g.addOutput(b.op1("sub", y, b.constant(Tensor.scalar(DType.F32, 0.5))));
    return new Module(g);
  }
}
