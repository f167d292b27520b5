package dev.weft.frontend.onnx.ops;

import static dev.weft.frontend.onnx.ops.ControlFlowOnnxOps.emit;
import static dev.weft.frontend.onnx.ops.SequenceOnnxOps.operands;

import dev.weft.bundle.DType;
import dev.weft.bundle.Tensor;
import dev.weft.frontend.onnx.ImportContext;
import dev.weft.frontend.onnx.OnnxNode;
import dev.weft.frontend.onnx.OnnxOpLibrary;
import dev.weft.frontend.onnx.OnnxOpTable;
import dev.weft.ir.Attribute;
import dev.weft.ir.Value;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Signal, string and miscellaneous ops: NonMaxSuppression, Det, DFT, STFT, the windows,
 * MelWeightMatrix, AffineGrid, Col2Im, string ops, TfIdfVectorizer and ai.onnx.ml LabelEncoder.
 * ImageDecoder is not supported (it would need image codecs in the compiler).
 */
public final class MiscOnnxOps implements OnnxOpLibrary {
  @Override
  public void register(OnnxOpTable table) {
    table.add("NonMaxSuppression", 10, (n, ctx) -> emit(ctx, n, "non_max_suppression", operands(n, 5, 2),
        Map.of("center_point_box", Attribute.of(n.attrInt("center_point_box", 0)))));
    table.add("Det", 11, (n, ctx) -> emit(ctx, n, "det", List.of(n.required(0)), Map.of()));
    table.add("DFT", 17, MiscOnnxOps::dft17);
    table.add("DFT", 20, MiscOnnxOps::dft20);
    table.add("STFT", 17, (n, ctx) -> emit(ctx, n, "stft", operands(n, 4, 2),
        Map.of("onesided", Attribute.of(n.attrInt("onesided", 1)))));
    for (String[] w : new String[][] {{"HannWindow", "hann_window"}, {"HammingWindow", "hamming_window"},
        {"BlackmanWindow", "blackman_window"}}) {
      table.add(w[0], 17, (n, ctx) -> emit(ctx, n, w[1], List.of(n.required(0)), Map.of(
          "output_datatype", Attribute.of(SequenceOnnxOps.dtype(n, ctx, "output_datatype", DType.F32)),
          "periodic", Attribute.of(n.attrInt("periodic", 1)))));
    }
    table.add("MelWeightMatrix", 17, (n, ctx) -> emit(ctx, n, "mel_weight_matrix", operands(n, 5, 5),
        Map.of("output_datatype", Attribute.of(SequenceOnnxOps.dtype(n, ctx, "output_datatype", DType.F32)))));
    table.add("AffineGrid", 20, (n, ctx) -> emit(ctx, n, "affine_grid", operands(n, 2, 2),
        Map.of("align_corners", Attribute.of(n.attrInt("align_corners", 0)))));
    table.add("Col2Im", 18, (n, ctx) -> {
      Map<String, Attribute> a = new LinkedHashMap<>();
      for (String k : List.of("dilations", "pads", "strides")) {
        long[] v = n.attrInts(k, null);
        if (v != null) a.put(k, Attribute.of(v));
      }
      return emit(ctx, n, "col2im", operands(n, 3, 3), a);
    });
    table.add("StringNormalizer", 10, (n, ctx) -> emit(ctx, n, "string_normalizer", List.of(n.required(0)), Map.of(
        "case_change_action", Attribute.of(n.attrString("case_change_action", "NONE")),
        "is_case_sensitive", Attribute.of(n.attrInt("is_case_sensitive", 0)),
        "locale", Attribute.of(n.attrString("locale", "")),
        "stopwords", new Attribute.Strs(n.attrStrings("stopwords", List.of())))));
    table.add("StringConcat", 20, (n, ctx) -> emit(ctx, n, "string_concat", operands(n, 2, 2), Map.of()));
    table.add("RegexFullMatch", 20, (n, ctx) -> {
      n.requireAttr("pattern");
      return emit(ctx, n, "regex_full_match", List.of(n.required(0)), Map.of("pattern", Attribute.of(n.attrString("pattern", ""))));
    });
    table.add("StringSplit", 20, (n, ctx) -> {
      Map<String, Attribute> a = new LinkedHashMap<>();
      if (n.hasAttr("delimiter")) a.put("delimiter", Attribute.of(n.attrString("delimiter", "")));
      if (n.hasAttr("maxsplit")) a.put("maxsplit", Attribute.of(n.attrInt("maxsplit", 0)));
      return emit(ctx, n, "string_split", List.of(n.required(0)), a);
    });
    table.add("TfIdfVectorizer", 9, MiscOnnxOps::tfidf);
    table.add("ai.onnx.ml", "LabelEncoder", 1, MiscOnnxOps::labelEncoder1);
    table.add("ai.onnx.ml", "LabelEncoder", 2, MiscOnnxOps::labelEncoder);
  }

  static List<Value> dft17(OnnxNode n, ImportContext ctx) {
    return emit(ctx, n, "dft", operands(n, 2, 1), Map.of(
        "axis", Attribute.of(n.attrInt("axis", 1)),
        "inverse", Attribute.of(n.attrInt("inverse", 0)),
        "onesided", Attribute.of(n.attrInt("onesided", 0))));
  }

  static List<Value> dft20(OnnxNode n, ImportContext ctx) {
    List<Value> in = operands(n, 3, 1);
    Map<String, Attribute> a = new LinkedHashMap<>();
    a.put("inverse", Attribute.of(n.attrInt("inverse", 0)));
    a.put("onesided", Attribute.of(n.attrInt("onesided", 0)));
    long axis = -2;
    if (in.size() > 2) {
      Tensor t = ctx.constantValue(in.get(2));
      if (t != null) {
        if (t.size() != 1) throw ctx.fail(n, "axis must be a scalar");
        axis = t.getLong(0);
        in = in.subList(0, 2);
        while (!in.isEmpty() && in.get(in.size() - 1) == null) in = in.subList(0, in.size() - 1);
      }
    }
    a.put("axis", Attribute.of(axis));
    return emit(ctx, n, "dft", in, a);
  }

  static List<Value> tfidf(OnnxNode n, ImportContext ctx) {
    Map<String, Attribute> a = new LinkedHashMap<>();
    for (String k : List.of("max_gram_length", "max_skip_count", "min_gram_length")) {
      n.requireAttr(k);
      a.put(k, Attribute.of(n.attrInt(k, 0)));
    }
    a.put("mode", Attribute.of(n.attrString("mode", "TF")));
    for (String k : List.of("ngram_counts", "ngram_indexes", "pool_int64s")) {
      long[] v = n.attrInts(k, null);
      if (v != null) a.put(k, Attribute.of(v));
    }
    if (!a.containsKey("ngram_counts") || !a.containsKey("ngram_indexes")) throw ctx.fail(n, "needs ngram_counts and ngram_indexes");
    if (n.hasAttr("pool_strings")) a.put("pool_strings", new Attribute.Strs(n.attrStrings("pool_strings", List.of())));
    double[] w = n.attrFloats("weights", null);
    if (w != null) a.put("weights", new Attribute.Floats(w));
    return emit(ctx, n, "tfidf_vectorizer", List.of(n.required(0)), a);
  }

  /** LabelEncoder-1: string -> index in classes_strings, or index -> string. */
  static List<Value> labelEncoder1(OnnxNode n, ImportContext ctx) {
    List<String> classes = n.attrStrings("classes_strings", List.of());
    long[] idx = new long[classes.size()];
    for (int i = 0; i < idx.length; i++) idx[i] = i;
    Tensor strings = Tensor.ofStrings(new long[] {classes.size()}, classes.toArray(String[]::new));
    Tensor ints = Tensor.ofLongs(new long[] {idx.length}, idx);
    Value x = n.required(0);
    boolean fromStrings = x.type() instanceof dev.weft.ir.TensorType t && t.dtype() == DType.STRING;
    Map<String, Attribute> a = new LinkedHashMap<>();
    a.put("keys", Attribute.of(fromStrings ? strings : ints));
    a.put("values", Attribute.of(fromStrings ? ints : strings));
    a.put("default", Attribute.of(fromStrings ? Tensor.ofLongs(new long[0], n.attrInt("default_int64", -1))
        : Tensor.ofStrings(new long[0], n.attrString("default_string", "_Unused"))));
    return emit(ctx, n, "label_encoder", List.of(x), a);
  }

  /** LabelEncoder-2/4: keys_* -> values_* (lists or, from 4, tensors), default_*. */
  static List<Value> labelEncoder(OnnxNode n, ImportContext ctx) {
    Tensor keys = listOrTensor(n, ctx, "keys");
    Tensor values = listOrTensor(n, ctx, "values");
    if (keys == null || values == null) throw ctx.fail(n, "needs keys_* and values_*");
    Tensor def = n.attrTensor("default_tensor");
    if (def == null) {
      def = switch (values.dtype()) {
        case STRING -> Tensor.ofStrings(new long[0], n.attrString("default_string", "_Unused"));
        case I64 -> Tensor.ofLongs(new long[0], n.attrInt("default_int64", -1));
        default -> Tensor.scalar(values.dtype(), n.attrFloat("default_float", -0.0));
      };
    }
    if (def.dtype() != values.dtype() || def.size() != 1) throw ctx.fail(n, "default must be one " + values.dtype());
    return emit(ctx, n, "label_encoder", List.of(n.required(0)), Map.of(
        "keys", Attribute.of(keys), "values", Attribute.of(values), "default", Attribute.of(def)));
  }

  private static Tensor listOrTensor(OnnxNode n, ImportContext ctx, String what) {
    Tensor t = n.attrTensor(what + "_tensor");
    if (t != null) return t.reshape(t.size());
    if (n.hasAttr(what + "_strings")) {
      List<String> s = n.attrStrings(what + "_strings", List.of());
      return Tensor.ofStrings(new long[] {s.size()}, s.toArray(String[]::new));
    }
    if (n.hasAttr(what + "_int64s")) {
      long[] v = n.attrInts(what + "_int64s", new long[0]);
      return Tensor.ofLongs(new long[] {v.length}, v);
    }
    if (n.hasAttr(what + "_floats")) {
      double[] v = n.attrFloats(what + "_floats", new double[0]);
      float[] f = new float[v.length];
      for (int i = 0; i < v.length; i++) f[i] = (float) v[i];
      return Tensor.ofFloats(new long[] {f.length}, f);
    }
    return null;
  }
}
