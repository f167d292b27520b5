package dev.weft.frontend.torchscript;

import dev.weft.bundle.DType;
import dev.weft.bundle.Tensor;
import dev.weft.frontend.torchscript.lower.Classes;
import dev.weft.frontend.torchscript.lower.Lowerer;
import dev.weft.frontend.torchscript.source.Ast;
import dev.weft.frontend.torchscript.source.Ast.FunctionDef;
import dev.weft.frontend.torchscript.source.SourceParser;
import dev.weft.ir.Dim;
import dev.weft.ir.Graph;
import dev.weft.ir.GraphBuilder;
import dev.weft.ir.Location;
import dev.weft.ir.Module;
import dev.weft.ir.Shape;
import dev.weft.ir.TensorType;
import dev.weft.ir.Value;
import java.util.ArrayList;
import java.util.List;

/**
 * TorchScript archive to Weft IR: the root module's {@code forward}, with submodules inlined,
 * parameters as constants named by module path ({@code blocks.0.attn.qkv.weight}),
 * {@code self.training} false (eval mode) and every Python-level computation folded. Input
 * types are not recorded in an archive, so callers give them (e.g. from example inputs);
 * {@link #symbolic} turns example types into natural symbolic ones (batch, seq).
 */
public final class TorchScriptImporter {
  private TorchScriptImporter() {}

  /** Imports with every input typed as an f32 tensor of unknown rank (callers usually pass types). */
  public static Module importModule(TorchArchive archive, String fileName) { return importModule(archive, fileName, null); }

  public static Module importModule(TorchArchive archive, String fileName, List<TensorType> inputTypes) {
    return importModule(archive.data(), archive.constants(), archive.code(), fileName, inputTypes);
  }

  /** The same from the archive's parts (tests build these by hand). */
  public static Module importModule(Object data, List<Object> constants, java.util.SortedMap<String, String> code,
      String fileName, List<TensorType> inputTypes) {
    if (!(data instanceof ScriptObject root)) {
      throw new TorchScriptException(fileName + ": data.pkl does not hold a module object (" + data + ")");
    }
    Classes classes = new Classes(code, new SourceParser());
    Classes.Method forward = classes.method(root.className(), "forward", null);
    FunctionDef def = forward.def();
    List<Ast.Param> params = def.params().subList(1, def.params().size());
    if (inputTypes != null && inputTypes.size() != params.size()) {
      throw new TorchScriptException(fileName + ": forward takes " + params.size() + " inputs, " + inputTypes.size() + " types given");
    }
    Graph g = new Graph("main");
    List<Object> args = new ArrayList<>();
    for (int i = 0; i < params.size(); i++) {
      TensorType t = inputTypes != null ? inputTypes.get(i) : new TensorType(DType.F32, Shape.unranked());
      args.add(g.addInput(params.get(i).name(), t));
    }
    GraphBuilder b = new GraphBuilder(g);
    Object result;
    try {
      result = Lowerer.lowerForward(b, classes, constants, root, args, def.pos());
    } catch (TorchScriptException e) {
      throw new TorchScriptException(fileName + ": " + e.getMessage(), e);
    } catch (dev.weft.ir.IrException e) {
      throw new TorchScriptException(fileName + ": " + e.getMessage(), e);
    }
    b.at(Location.at(forward.file(), def.pos().line(), def.pos().column()));
    List<?> outs = result instanceof PyTuple t ? t.items() : List.of(result);
    for (Object o : outs) {
      Value v = switch (o) {
        case Value x -> x.isGraphInput() || g.outputs().contains(x) ? b.op1("identity", x) : x;
        case Long l -> b.constant(Tensor.ofLongs(new long[0], l));
        case Double d -> b.constant(Tensor.ofFloats(new long[0], (float) (double) d));
        case Boolean z -> b.constant(Tensor.ofBools(new long[0], z));
        default -> throw new TorchScriptException(fileName + ": forward returns " + o + ", not tensors");
      };
      g.addOutput(v);
    }
    Module m = new Module(g);
    m.setSourceFile(fileName);
    m.putMetadata("producer", "torchscript");
    m.putMetadata("root_class", root.className());
    return m;
  }

  /**
   * Example input types with the natural dims made symbolic: dim 0 of every input of rank >= 2
   * is {@code batch}; dim 1 of rank-2 integer inputs (token ids, masks) is {@code seq}.
   */
  public static List<TensorType> symbolic(List<TensorType> examples) {
    List<TensorType> out = new ArrayList<>();
    for (TensorType t : examples) {
      if (!t.shape().isRanked() || t.rank() < 2) {
        out.add(t);
        continue;
      }
      List<Dim> dims = new ArrayList<>(t.shape().dims());
      dims.set(0, new Dim.Symbol("batch"));
      if (t.rank() == 2 && !t.dtype().isFloat()) dims.set(1, new Dim.Symbol("seq"));
      out.add(new TensorType(t.dtype(), new Shape(dims)));
    }
    return out;
  }
}
