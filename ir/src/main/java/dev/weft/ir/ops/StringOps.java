package dev.weft.ir.ops;

import dev.weft.bundle.DType;
import dev.weft.bundle.Tensor;
import dev.weft.ir.Attribute;
import dev.weft.ir.Dim;
import dev.weft.ir.InferContext;
import dev.weft.ir.OpDef;
import dev.weft.ir.OpLibrary;
import dev.weft.ir.Shape;
import dev.weft.ir.TensorType;
import dev.weft.ir.Type;
import dev.weft.ir.interp.KernelContext;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * String and text-feature ops (custom, reference kernels only), ONNX semantics:
 * {@code string_normalizer}, {@code regex_full_match}, {@code string_concat},
 * {@code string_split}, {@code tfidf_vectorizer} and {@code label_encoder} (ai.onnx.ml).
 */
public final class StringOps implements OpLibrary {
  @Override
  public List<OpDef> ops() {
    return List.of(
        OpDef.custom("string_normalizer").inputs(1)
            .attr("case_change_action", Attribute.of("NONE"))
            .attr("is_case_sensitive", Attribute.of(0L))
            .attr("locale", Attribute.of(""))
            .attr("stopwords", new Attribute.Strs(List.of()))
            .infer(c -> {
              TensorType x = stringTensor(c, 0);
              Shape s = x.shape();
              if (s.isRanked() && s.rank() != 1 && !(s.rank() == 2 && s.dim(0).equals(Dim.of(1)))) {
                throw c.fail("string_normalizer input must be [C] or [1, C], got " + s);
              }
              if (!s.isRanked()) return List.of(x);
              return List.of(x.withShape(s.rank() == 1 ? Shape.of(c.fresh()) : Shape.of(Dim.of(1), c.fresh())));
            })
            .kernel(StringOps::normalize)
            .build(),
        OpDef.custom("regex_full_match").inputs(1)
            .required("pattern", Attribute.Kind.STRING)
            .infer(c -> {
              TensorType x = stringTensor(c, 0);
              try {
                Pattern.compile(c.attrs().getString("pattern"));
              } catch (PatternSyntaxException e) {
                throw c.fail("bad pattern: " + e.getDescription());
              }
              return List.of(x.withDType(DType.BOOL));
            })
            .kernel(c -> {
              Tensor x = c.tensor(0);
              Pattern p = Pattern.compile(c.attrs().getString("pattern"));
              Tensor y = Tensor.zeros(DType.BOOL, x.shape());
              for (long i = 0; i < x.size(); i++) y.setBool(i, p.matcher(x.getString(i)).matches());
              return KernelContext.one(y);
            })
            .build(),
        OpDef.custom("string_concat").inputs(2)
            .infer(c -> {
              stringTensor(c, 0);
              stringTensor(c, 1);
              return Elementwise.broadcast(c, DType.STRING);
            })
            .kernel(c -> {
              Tensor a = c.tensor(0);
              Tensor b = c.tensor(1);
              long[] shape = Broadcast.sizes(a.shape(), b.shape());
              long[] ma = Broadcast.indexMap(a.shape(), shape);
              long[] mb = Broadcast.indexMap(b.shape(), shape);
              Tensor y = Tensor.zeros(DType.STRING, shape);
              for (int i = 0; i < y.size(); i++) {
                y.setString(i, a.getString(ma == null ? i : ma[i]) + b.getString(mb == null ? i : mb[i]));
              }
              return KernelContext.one(y);
            })
            .build(),
        OpDef.custom("string_split").inputs(1).outputs(2)
            .optional("delimiter", Attribute.Kind.STRING)
            .optional("maxsplit", Attribute.Kind.INT)
            .infer(c -> {
              TensorType x = stringTensor(c, 0);
              return List.of(x.withShape(TypeMerge.insert(x.shape(), x.shape().isRanked() ? x.rank() : 0, c.fresh())),
                  x.withDType(DType.I64));
            })
            .kernel(StringOps::split)
            .doc("Splits each string on delimiter (absent or empty: runs of whitespace, as Python's"
                + " str.split()), at most maxsplit times; results padded with \"\" to the longest, plus counts.")
            .build(),
        OpDef.custom("tfidf_vectorizer").inputs(1)
            .required("max_gram_length", Attribute.Kind.INT)
            .required("max_skip_count", Attribute.Kind.INT)
            .required("min_gram_length", Attribute.Kind.INT)
            .required("mode", Attribute.Kind.STRING)
            .required("ngram_counts", Attribute.Kind.INTS)
            .required("ngram_indexes", Attribute.Kind.INTS)
            .optional("pool_int64s", Attribute.Kind.INTS)
            .optional("pool_strings", Attribute.Kind.STRINGS)
            .optional("weights", Attribute.Kind.FLOATS)
            .infer(TfIdf::infer)
            .kernel(TfIdf::run)
            .build(),
        OpDef.custom("label_encoder").inputs(1)
            .required("keys", Attribute.Kind.TENSOR)
            .required("values", Attribute.Kind.TENSOR)
            .required("default", Attribute.Kind.TENSOR)
            .infer(c -> {
              Tensor keys = c.attrs().getTensor("keys");
              Tensor values = c.attrs().getTensor("values");
              if (keys.size() != values.size()) throw c.fail("label_encoder has " + keys.size() + " keys and " + values.size() + " values");
              if (c.dtype(0) != keys.dtype()) throw c.fail("input is " + c.dtype(0) + ", keys are " + keys.dtype());
              return List.of(c.tensor(0).withDType(values.dtype()));
            })
            .kernel(StringOps::labelEncode)
            .doc("Maps each element through keys -> values (1-D tensors of equal length); misses give 'default'.")
            .build());
  }

  static TensorType stringTensor(InferContext c, int i) {
    TensorType t = c.tensor(i);
    if (t.dtype() != DType.STRING) throw c.fail("operand " + i + " must be strings, got " + t.dtype());
    return t;
  }

  static Object[] normalize(KernelContext c) {
    Tensor x = c.tensor(0);
    var a = c.attrs();
    String action = a.getString("case_change_action");
    if (!action.equals("NONE") && !action.equals("LOWER") && !action.equals("UPPER")) {
      throw c.fail("case_change_action must be NONE, LOWER or UPPER, got " + action);
    }
    boolean sensitive = a.getBool("is_case_sensitive");
    String tag = a.getString("locale");
    Locale locale = tag.isEmpty() ? Locale.ROOT : Locale.forLanguageTag(tag.replace('_', '-'));
    Set<String> stop = new HashSet<>();
    for (String s : a.getStrings("stopwords")) stop.add(sensitive ? s : s.toLowerCase(locale));
    List<String> kept = new ArrayList<>();
    for (long i = 0; i < x.size(); i++) {
      String s = x.getString(i);
      if (stop.contains(sensitive ? s : s.toLowerCase(locale))) continue;
      kept.add(switch (action) {
        case "LOWER" -> s.toLowerCase(locale);
        case "UPPER" -> s.toUpperCase(locale);
        default -> s;
      });
    }
    if (kept.isEmpty()) kept.add("");   // ONNX: everything filtered leaves one empty string
    long[] shape = x.rank() == 1 ? new long[] {kept.size()} : new long[] {1, kept.size()};
    return KernelContext.one(Tensor.ofStrings(shape, kept.toArray(new String[0])));
  }

  static Object[] split(KernelContext c) {
    Tensor x = c.tensor(0);
    String delim = c.attrs().has("delimiter") ? c.attrs().getString("delimiter") : "";
    long maxsplit = c.attrs().has("maxsplit") ? c.attrs().getInt("maxsplit") : -1;
    List<List<String>> parts = new ArrayList<>();
    int widest = 0;
    for (long i = 0; i < x.size(); i++) {
      List<String> p = delim.isEmpty() ? splitWhitespace(x.getString(i), maxsplit) : splitOn(x.getString(i), delim, maxsplit);
      parts.add(p);
      widest = Math.max(widest, p.size());
    }
    long[] shape = java.util.Arrays.copyOf(x.shape(), x.rank() + 1);
    shape[x.rank()] = widest;
    Tensor y = Tensor.zeros(DType.STRING, shape);
    Tensor z = Tensor.zeros(DType.I64, x.shape());
    for (int i = 0; i < parts.size(); i++) {
      List<String> p = parts.get(i);
      for (int j = 0; j < p.size(); j++) y.setString((long) i * widest + j, p.get(j));
      z.setLong(i, p.size());
    }
    return new Object[] {y, z};
  }

  /** Python's {@code s.split(delim, maxsplit)}. */
  static List<String> splitOn(String s, String delim, long maxsplit) {
    List<String> out = new ArrayList<>();
    int from = 0;
    while (maxsplit < 0 || out.size() < maxsplit) {
      int at = s.indexOf(delim, from);
      if (at < 0) break;
      out.add(s.substring(from, at));
      from = at + delim.length();
    }
    out.add(s.substring(from));
    return out;
  }

  /** Python's {@code s.split(None, maxsplit)}: runs of whitespace, no empty pieces. */
  static List<String> splitWhitespace(String s, long maxsplit) {
    List<String> out = new ArrayList<>();
    int i = 0;
    int n = s.length();
    while (true) {
      while (i < n && Character.isWhitespace(s.charAt(i))) i++;
      if (i >= n) break;
      if (maxsplit >= 0 && out.size() == maxsplit) {
        int end = n;
        while (end > i && Character.isWhitespace(s.charAt(end - 1))) end--;
        out.add(s.substring(i, end));
        break;
      }
      int j = i;
      while (j < n && !Character.isWhitespace(s.charAt(j))) j++;
      out.add(s.substring(i, j));
      i = j;
    }
    return out;
  }

  static Object[] labelEncode(KernelContext c) {
    Tensor x = c.tensor(0);
    Tensor keys = c.attrs().getTensor("keys");
    Tensor values = c.attrs().getTensor("values");
    Tensor def = c.attrs().getTensor("default");
    Map<Object, Long> index = new HashMap<>();
    for (long i = 0; i < keys.size(); i++) index.putIfAbsent(key(keys, i), i);
    Tensor y = Tensor.zeros(values.dtype(), x.shape());
    for (long i = 0; i < x.size(); i++) {
      Long at = index.get(key(x, i));
      if (at == null) Blocks.copy(def, 0, y, i, 1);
      else Blocks.copy(values, at, y, i, 1);
    }
    return KernelContext.one(y);
  }

  /** A hashable key; floats compare by value (NaN equal to NaN, -0 equal to 0). */
  private static Object key(Tensor t, long i) {
    if (t.dtype() == DType.STRING) return t.getString(i);
    if (t.dtype().isFloat()) {
      double d = t.getDouble(i);
      return d == 0 ? 0.0 : d;
    }
    return t.getLong(i);
  }

  /** TfIdfVectorizer: n-gram counting with skips over a pool of n-grams (ONNX's reference algorithm). */
  static final class TfIdf {
    private TfIdf() {}

    static List<Type> infer(InferContext c) {
      TensorType x = c.tensor(0);
      DType d = x.dtype();
      if (d != DType.STRING && d != DType.I32 && d != DType.I64) throw c.fail("tfidf input must be strings, i32 or i64, got " + d);
      long max = -1;
      for (long v : c.attrs().getInts("ngram_indexes")) max = Math.max(max, v);
      Shape s = x.shape();
      if (!s.isRanked()) return List.of(new TensorType(DType.F32, Shape.unranked()));
      if (s.rank() != 1 && s.rank() != 2) throw c.fail("tfidf input must be [C] or [N, C], got " + s);
      return List.of(s.rank() == 1 ? TensorType.of(DType.F32, max + 1) : TensorType.of(DType.F32, s.dim(0), Dim.of(max + 1)));
    }

    static Object[] run(KernelContext c) {
      Tensor x = c.tensor(0);
      var a = c.attrs();
      int maxGram = a.getInt32("max_gram_length");
      int minGram = a.getInt32("min_gram_length");
      int maxSkip = a.getInt32("max_skip_count");
      String mode = a.getString("mode");
      long[] counts = a.getInts("ngram_counts");
      long[] indexes = a.getInts("ngram_indexes");
      boolean strings = x.dtype() == DType.STRING;
      List<Object> pool = new ArrayList<>();
      if (strings) pool.addAll(a.getStrings("pool_strings"));
      else for (long v : a.getIntsOr("pool_int64s", new long[0])) pool.add(v);
      double[] weights = a.hasValue("weights") ? a.getFloats("weights") : null;
      if (minGram < 1 || maxGram < minGram) throw c.fail("bad gram lengths " + minGram + ".." + maxGram);
      // Pool grams of size k+1 start at counts[k]; gram number g (in pool order) maps to output indexes[g].
      Map<List<Object>, Integer> grams = new HashMap<>();
      Set<List<Object>> prefixes = new HashSet<>();
      int g = 0;
      for (int k = 0; k < counts.length; k++) {
        int size = k + 1;
        int start = (int) counts[k];
        int end = k + 1 < counts.length ? (int) counts[k + 1] : pool.size();
        for (int p = start; p + size <= end; p += size) {
          List<Object> gram = List.copyOf(pool.subList(p, p + size));
          if (g >= indexes.length) throw c.fail("more pool n-grams than ngram_indexes");
          grams.putIfAbsent(gram, g++);
          for (int q = 1; q <= size; q++) prefixes.add(gram.subList(0, q));
        }
      }
      long outSize = 0;
      for (long v : indexes) outSize = Math.max(outSize, v + 1);
      long rows = x.rank() == 2 ? x.dim(0) : 1;
      long cols = x.rank() == 2 ? x.dim(1) : x.size();
      Tensor y = Tensor.zeros(c.outputType(0).dtype(), x.rank() == 2 ? new long[] {rows, outSize} : new long[] {outSize});
      double[] freq = new double[(int) outSize];
      for (long r = 0; r < rows; r++) {
        java.util.Arrays.fill(freq, 0);
        int startSize = minGram;
        for (int skip = 1; skip <= maxSkip + 1; skip++) {
          for (long s = 0; s < cols; s++) {
            if (s + (long) skip * (startSize - 1) >= cols) break;
            List<Object> gram = new ArrayList<>();
            long item = s;
            for (int size = 1; size <= maxGram && item < cols; size++, item += skip) {
              long at = r * cols + item;
              gram.add(strings ? x.getString(at) : (Object) x.getLong(at));
              if (!prefixes.contains(gram)) break;
              Integer hit = grams.get(gram);
              if (size >= startSize && hit != null) freq[(int) indexes[hit]] += 1;
            }
          }
          // Unigrams do not depend on the skip: count them on the first pass only.
          if (startSize == 1) {
            startSize = 2;
            if (startSize > maxGram) break;
          }
        }
        for (int i = 0; i < outSize; i++) {
          double w = weights == null || i >= weights.length ? 1 : weights[i];
          double v = switch (mode) {
            case "TF" -> freq[i];
            case "IDF" -> freq[i] > 0 ? w : 0;
            case "TFIDF" -> freq[i] * w;
            default -> throw c.fail("mode must be TF, IDF or TFIDF, got " + mode);
          };
          y.setDouble(r * outSize + i, v);
        }
      }
      return KernelContext.one(y);
    }
  }
}
