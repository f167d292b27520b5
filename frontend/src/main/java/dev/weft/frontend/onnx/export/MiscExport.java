package dev.weft.frontend.onnx.export;

import static dev.weft.frontend.onnx.export.ExportContext.floatAttr;
import static dev.weft.frontend.onnx.export.ExportContext.intAttr;

import dev.weft.bundle.DType;
import dev.weft.bundle.Tensor;
import dev.weft.frontend.onnx.proto.OnnxProto.AttributeProto;
import dev.weft.frontend.onnx.proto.OnnxProto.AttributeProto.AttributeType;
import dev.weft.ir.Attribute;
import dev.weft.ir.Node;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Random, signal, string, detection and ai.onnx.ml rows. */
final class MiscExport implements ExportFamily {
  @Override
  public void register(ExportTable t) {
    // ONNX TreeEnsemble-5 (ai.onnx.ml 5) keeps splits/weights as tensors and enums as ints; the IR
    // op holds them as lists and strings, and mapping back is not written yet.
    t.add("tree_ensemble", Rules.weft("the mapping back to ai.onnx.ml TreeEnsemble-5 is not written yet"));
    t.add("random_normal", (n, cx) -> random(n, cx, "RandomNormal", "mean", "scale"));
    t.add("random_uniform", (n, cx) -> random(n, cx, "RandomUniform", "low", "high"));
    t.add("multinomial", (n, cx) -> cx.node("Multinomial", cx.ins(n), cx.outs(n), seeded(n, cx, "dtype", "sample_size")));
    t.add("bernoulli", (n, cx) -> cx.node("Bernoulli", cx.ins(n), cx.outs(n), seeded(n, cx, "dtype")));
    t.add("non_max_suppression", Rules.same("NonMaxSuppression", "center_point_box"));
    t.add("det", Rules.same("Det"));
    t.add("dft", MiscExport::dft);
    t.add("stft", Rules.same("STFT", "onesided"));
    t.add("hann_window", Rules.same("HannWindow", "output_datatype", "periodic"));
    t.add("hamming_window", Rules.same("HammingWindow", "output_datatype", "periodic"));
    t.add("blackman_window", Rules.same("BlackmanWindow", "output_datatype", "periodic"));
    t.add("mel_weight_matrix", Rules.same("MelWeightMatrix", "output_datatype"));
    t.add("affine_grid", Rules.same("AffineGrid", "align_corners"));
    t.add("col2im", Rules.same("Col2Im", "dilations", "pads", "strides"));
    t.add("string_normalizer", (n, cx) -> {
      List<AttributeProto> a = new ArrayList<>();
      for (AttributeProto p : cx.attrsNonEmpty(n, "case_change_action", "is_case_sensitive", "locale", "stopwords")) {
        if (p.getType() != AttributeType.STRING || !p.getS().isEmpty()) a.add(p);
      }
      cx.node("StringNormalizer", cx.ins(n), cx.outs(n), a);
    });
    t.add("string_concat", Rules.same("StringConcat"));
    t.add("regex_full_match", Rules.same("RegexFullMatch", "pattern"));
    t.add("string_split", Rules.same("StringSplit", "delimiter", "maxsplit"));
    t.add("tfidf_vectorizer", Rules.same("TfIdfVectorizer", "max_gram_length", "max_skip_count", "min_gram_length", "mode",
        "ngram_counts", "ngram_indexes", "pool_int64s", "pool_strings", "weights"));
    t.add("label_encoder", MiscExport::labelEncoder);
  }

  /** ONNX seeds are floats; the IR's i64 seed is exact below 2^24. */
  static List<AttributeProto> seeded(Node n, ExportContext cx, String... keep) {
    List<AttributeProto> a = new ArrayList<>(cx.attrs(n, keep));
    if (n.attribute("seed") instanceof Attribute.Int s) {
      a.add(floatAttr("seed", s.value()));
      if (Math.abs(s.value()) >= (1L << 24)) cx.warn("random seeds beyond 2^24 are rounded to ONNX's float seed");
    }
    a.sort((x, y) -> x.getName().compareTo(y.getName()));
    return a;
  }

  /** Without an operand: RandomNormal/RandomUniform with a static shape; with one: the *Like op. */
  static void random(Node n, ExportContext cx, String op, String a1, String a2) {
    boolean like = n.input(0) != null;
    List<AttributeProto> attrs = seeded(n, cx, like ? new String[] {"dtype", a1, a2} : new String[] {"dtype", a1, a2, "shape"});
    if (!like && n.attribute("dtype") == null) attrs.add(intAttr("dtype", DType.F32.onnxCode()));
    cx.node(like ? op + "Like" : op, cx.ins(n), cx.outs(n), attrs);
  }

  /** DFT-20: the axis is a 0-D i64 input. */
  static void dft(Node n, ExportContext cx) {
    String axis = n.input(2) != null ? cx.in(n, 2) : cx.scalarI64(cx.out(n, 0) + "_axis", n.attrs().getInt("axis"));
    cx.node("DFT", List.of(cx.in(n, 0), cx.in(n, 1), axis), cx.outs(n), cx.attrs(n, "inverse", "onesided"));
  }

  /** ai.onnx.ml LabelEncoder: list attributes for strings/int64/float (opset 2), tensors otherwise (opset 4). */
  static void labelEncoder(Node n, ExportContext cx) {
    List<AttributeProto> a = new ArrayList<>();
    boolean tensors = false;
    for (String what : new String[] {"keys", "values"}) {
      Tensor t = n.attrs().getTensor(what);
      AttributeProto list = listForm(what, t);
      if (list == null) {
        tensors = true;
        a.add(cx.attr(what + "_tensor", Attribute.of(t)));
      } else {
        a.add(list);
      }
    }
    Tensor def = n.attrs().getTensor("default");
    AttributeProto d = switch (def.dtype()) {
      case STRING -> ExportContext.stringAttr("default_string", def.getString(0));
      case I64 -> intAttr("default_int64", def.getLong(0));
      case F32 -> floatAttr("default_float", def.getDouble(0));
      default -> null;
    };
    if (d == null || tensors) {
      tensors = true;
      d = cx.attr("default_tensor", Attribute.of(def.reshape(1)));
    }
    a.add(d);
    a.sort((x, y) -> x.getName().compareTo(y.getName()));
    cx.useDomain("ai.onnx.ml", tensors ? 4 : 2);
    cx.node("ai.onnx.ml", "LabelEncoder", cx.ins(n), cx.outs(n), a);
  }

  private static AttributeProto listForm(String what, Tensor t) {
    AttributeProto.Builder b = AttributeProto.newBuilder();
    switch (t.dtype()) {
      case STRING -> {
        b.setName(what + "_strings").setType(AttributeType.STRINGS);
        for (long i = 0; i < t.size(); i++) b.addStrings(com.google.protobuf.ByteString.copyFrom(t.getString(i), StandardCharsets.UTF_8));
      }
      case I64 -> {
        b.setName(what + "_int64s").setType(AttributeType.INTS);
        for (long i = 0; i < t.size(); i++) b.addInts(t.getLong(i));
      }
      case F32 -> {
        b.setName(what + "_floats").setType(AttributeType.FLOATS);
        for (long i = 0; i < t.size(); i++) b.addFloats(t.getFloat(i));
      }
      default -> {
        return null;
      }
    }
    return b.build();
  }
}
