package dev.weft.ir.ops;

import static dev.weft.ir.ops.MiscOpsTest.one;
import static dev.weft.ir.ops.MiscOpsTest.run;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.weft.bundle.Tensor;
import dev.weft.ir.Attribute;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StringOpsTest {
  static Tensor s(long[] shape, String... v) { return Tensor.ofStrings(shape, v); }

  @Test
  void normalizerRemovesStopwordsAndChangesCase() {
    Tensor x = s(new long[] {4}, "monday", "tuesday", "wednesday", "Monday");
    Tensor y = one("string_normalizer", Map.of("case_change_action", Attribute.of("UPPER"),
        "stopwords", new Attribute.Strs(List.of("monday"))), x);
    assertArrayEquals(new String[] {"TUESDAY", "WEDNESDAY"}, y.toStringArray());
    Tensor all = one("string_normalizer", Map.of("stopwords", new Attribute.Strs(List.of("a"))), s(new long[] {1, 1}, "A"));
    assertArrayEquals(new long[] {1, 1}, all.shape());
    assertArrayEquals(new String[] {""}, all.toStringArray());
  }

  @Test
  void concatSplitRegex() {
    Tensor c = one("string_concat", Map.of(), s(new long[] {2}, "a", "b"), s(new long[0], "!"));
    assertArrayEquals(new String[] {"a!", "b!"}, c.toStringArray());
    List<Object> r = run("string_split", Map.of("delimiter", Attribute.of(",")), s(new long[] {2}, "a,,b", "c"));
    assertArrayEquals(new String[] {"a", "", "b", "c", "", ""}, ((Tensor) r.get(0)).toStringArray());
    assertArrayEquals(new long[] {3, 1}, ((Tensor) r.get(1)).toLongArray());
    r = run("string_split", Map.of("maxsplit", Attribute.of(1L)), s(new long[] {1}, "  x  y z "));
    assertArrayEquals(new String[] {"x", "y z"}, ((Tensor) r.get(0)).toStringArray());
    Tensor m = one("regex_full_match", Map.of("pattern", Attribute.of("[a-z]+@weft\\.dev")), s(new long[] {2}, "me@weft.dev", "me@weft.dev.x"));
    assertArrayEquals(new boolean[] {true, false}, new boolean[] {m.getBool(0), m.getBool(1)});
  }

  @Test
  void tfidfCountsUnigramsAndSkipBigrams() {
    // Pool: unigrams {2, 3}, bigram {(2, 3)}; outputs 0, 1, 2.
    Map<String, Attribute> a = Map.of("max_gram_length", Attribute.of(2L), "min_gram_length", Attribute.of(1L),
        "max_skip_count", Attribute.of(1L), "mode", Attribute.of("TF"), "ngram_counts", Attribute.of(new long[] {0, 2}),
        "ngram_indexes", Attribute.of(new long[] {0, 1, 2}), "pool_int64s", Attribute.of(new long[] {2, 3, 2, 3}));
    // [2, 3, 5, 3]: unigram 2 once, 3 twice; bigram (2, 3) adjacent once (with one skip, 2 meets 5).
    Tensor y = one("tfidf_vectorizer", a, Tensor.ofLongs(new long[] {4}, 2, 3, 5, 3));
    assertArrayEquals(new float[] {1, 2, 1}, y.toFloatArray());
    // [2, 5, 3]: bigram only with one skip.
    y = one("tfidf_vectorizer", a, Tensor.ofLongs(new long[] {3}, 2, 5, 3));
    assertArrayEquals(new float[] {1, 1, 1}, y.toFloatArray());
  }

  @Test
  void labelEncoder() {
    Map<String, Attribute> a = Map.of("keys", Attribute.of(s(new long[] {2}, "a", "b")),
        "values", Attribute.of(Tensor.ofLongs(new long[] {2}, 10, 20)), "default", Attribute.of(Tensor.ofLongs(new long[0], -1)));
    Tensor y = one("label_encoder", a, s(new long[] {3}, "b", "z", "a"));
    assertArrayEquals(new long[] {20, -1, 10}, y.toLongArray());
  }
}
