package dev.weft.frontend.onnx.ops;

import static dev.weft.frontend.onnx.ops.ControlFlowOnnxOps.emit;

import dev.weft.bundle.DType;
import dev.weft.bundle.Tensor;
import dev.weft.frontend.onnx.ImportContext;
import dev.weft.frontend.onnx.OnnxNode;
import dev.weft.frontend.onnx.OnnxOpLibrary;
import dev.weft.frontend.onnx.OnnxOpTable;
import dev.weft.ir.Attribute;
import dev.weft.ir.GraphBuilder;
import dev.weft.ir.Shape;
import dev.weft.ir.Value;
import dev.weft.ir.ops.MlOps;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * ai.onnx.ml ops: Binarizer and ArrayFeatureExtractor lower onto core ops (select, gather);
 * TreeEnsemble-5 becomes the custom {@code tree_ensemble} (see MlOps).
 */
public final class MlOnnxOps implements OnnxOpLibrary {
  static final String ML = "ai.onnx.ml";

  @Override
  public void register(OnnxOpTable t) {
    t.add(ML, "Binarizer", 1, MlOnnxOps::binarizer);
    t.add(ML, "ArrayFeatureExtractor", 1, MlOnnxOps::arrayFeatureExtractor);
    t.add(ML, "TreeEnsemble", 5, MlOnnxOps::treeEnsemble);
  }

  /** y = x > threshold ? 1 : 0 in x's dtype (NaN gives 0, as ONNX's reference). */
  static List<Value> binarizer(OnnxNode n, ImportContext c) {
    Value x = n.required(0);
    DType t = x.tensorType().dtype();
    if (!(t.isFloat() || t == DType.I32 || t == DType.I64)) throw c.fail(n, "Binarizer does not take " + t);
    GraphBuilder b = c.builder();
    Value above = b.op1("greater", x, c.scalar(t, n.attrFloat("threshold", 0)));
    return List.of(b.op1("select", above, c.scalar(t, 1), c.scalar(t, 0)));
  }

  /**
   * Z = X[..., indices] with the indices flattened; a 1-D X gives [1, k] (ONNX's reference).
   */
  static List<Value> arrayFeatureExtractor(OnnxNode n, ImportContext c) {
    Value x = n.required(0);
    Value idx = n.required(1);
    GraphBuilder b = c.builder();
    Shape is = idx.tensorType().shape();
    if (!(is.isRanked() && is.rank() == 1)) idx = b.op1("reshape", Map.of("shape", Attribute.of(new long[] {-1})), idx);
    Value z = b.op1("gather", Map.of("axis", Attribute.of(-1L)), x, idx);
    Shape xs = x.tensorType().shape();
    if (!xs.isRanked()) throw c.fail(n, "ArrayFeatureExtractor needs an input of known rank");
    if (xs.rank() == 1) z = b.op1("unsqueeze", Map.of("axes", Attribute.of(new long[] {0})), z);
    return List.of(z);
  }

  static List<Value> treeEnsemble(OnnxNode n, ImportContext c) {
    Map<String, Attribute> a = new LinkedHashMap<>();
    a.put("n_targets", Attribute.of(n.requireAttr("n_targets").getI()));
    a.put("aggregate_function", Attribute.of(code(n, c, "aggregate_function", 1, MlOps.AGGREGATES)));
    a.put("post_transform", Attribute.of(code(n, c, "post_transform", 0, MlOps.TRANSFORMS)));
    for (String k : List.of("tree_roots", "nodes_featureids", "nodes_truenodeids", "nodes_falsenodeids",
        "nodes_trueleafs", "nodes_falseleafs", "leaf_targetids")) {
      long[] v = n.attrInts(k, null);
      if (v == null) throw c.fail(n, "missing required attribute '" + k + "'");
      a.put(k, Attribute.of(v));
    }
    long[] miss = n.attrInts("nodes_missing_value_tracks_true", null);
    if (miss != null) a.put("nodes_missing_value_tracks_true", Attribute.of(miss));
    a.put("nodes_modes", Attribute.of(requiredTensor(n, c, "nodes_modes").toLongArray()));
    a.put("nodes_splits", new Attribute.Floats(requiredTensor(n, c, "nodes_splits").toDoubleArray()));
    a.put("leaf_weights", new Attribute.Floats(requiredTensor(n, c, "leaf_weights").toDoubleArray()));
    Tensor members = n.attrTensor("membership_values");
    if (members != null) a.put("membership_values", new Attribute.Floats(members.toDoubleArray()));
    return emit(c, n, "tree_ensemble", List.of(n.required(0)), a);
  }

  private static String code(OnnxNode n, ImportContext c, String attr, long def, List<String> names) {
    long v = n.attrInt(attr, def);
    if (v < 0 || v >= names.size()) throw c.fail(n, attr + " " + v + " is not one of 0.." + (names.size() - 1));
    return names.get((int) v);
  }

  private static Tensor requiredTensor(OnnxNode n, ImportContext c, String attr) {
    Tensor t = n.attrTensor(attr);
    if (t == null) throw c.fail(n, "missing required attribute '" + attr + "'");
    return t;
  }
}
