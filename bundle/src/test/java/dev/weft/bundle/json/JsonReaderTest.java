package dev.weft.bundle.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonReaderTest {
  private static Object parse(String s) { return JsonReader.parse("t.json", s.getBytes(StandardCharsets.UTF_8)); }

  private static String error(String s) { return assertThrows(JsonException.class, () -> parse(s)).getMessage(); }

  @Test
  void parsesEveryKindOfValue() {
    Object v = parse(" {\"a\": [1, -2, 3.5, 1e3, true, false, null], \"b\": {\"c\": \"x\\n\\u00e9\\ud83d\\ude00\"}} ");
    Map<?, ?> m = (Map<?, ?>) v;
    assertEquals(List.of("a", "b"), List.copyOf(m.keySet()));
    List<?> a = (List<?>) m.get("a");
    assertEquals(1L, a.get(0));
    assertEquals(-2L, a.get(1));
    assertEquals(3.5, a.get(2));
    assertEquals(1000.0, a.get(3));
    assertEquals(true, a.get(4));
    assertEquals(false, a.get(5));
    assertEquals(null, a.get(6));
    assertEquals("x\n\u00e9\ud83d\ude00", ((Map<?, ?>) m.get("b")).get("c"));
    assertEquals(Long.MIN_VALUE, parse("-9223372036854775808"));
  }

  @Test
  void errorsNameFileLineAndColumn() {
    assertEquals("t.json:2:9: expected ',' or '}' in an object", error("{\"a\": 1,\n \"b\": 2 \"c\": 3}"));
    assertEquals("t.json:1:10: duplicate key \"a\"", error("{\"a\": 1, \"a\": 2}"));
  }

  @Test
  void rejectsWhatLenientParsersAccept() {
    assertTrue(error("[1, 2,]").contains("expected a value"));
    assertTrue(error("{\"a\": 1,}").contains("expected a string key"));
    assertTrue(error("[01]").contains("leading zero"));
    assertTrue(error("[NaN]").contains("unexpected character 'N'"));
    assertTrue(error("// c\n{}").contains("unexpected character '/'"));
    assertTrue(error("\"a\tb\"").contains("unescaped control character"));
    assertTrue(error("\"\\x\"").contains("invalid escape"));
    assertTrue(error("\"\\ud800\"").contains("unpaired surrogate"));
    assertTrue(error("{} {}").contains("unexpected content after"));
    assertTrue(error("9223372036854775808").contains("does not fit in 64 bits"));
    assertTrue(error("1e999").contains("out of range"));
    assertTrue(error("[1.]").contains("expected a digit"));
    assertTrue(error("").contains("unexpected end of input"));
    assertTrue(error("{\"a\"").contains("expected ':'") || error("{\"a\"").contains("unexpected end"));
  }

  @Test
  void invalidUtf8IsATypedError() {
    byte[] bad = {'"', (byte) 0xC3, (byte) 0x28, '"'};
    String msg = assertThrows(JsonException.class, () -> JsonReader.parse("t.json", bad)).getMessage();
    assertTrue(msg.startsWith("t.json: not valid UTF-8"), msg);
  }

  @Test
  void deepNestingIsATypedErrorNotAStackOverflow() {
    String deep = "[".repeat(100_000) + "]".repeat(100_000);
    assertTrue(error(deep).contains("nesting deeper than 64 levels"));
    // 64 levels are fine.
    parse("[".repeat(64) + "]".repeat(64));
  }

  @Test
  void sizeLimitIsChecked() {
    byte[] big = new byte[100];
    java.util.Arrays.fill(big, (byte) ' ');
    String msg = assertThrows(JsonException.class, () -> JsonReader.parse("t.json", big, 8, 50)).getMessage();
    assertTrue(msg.contains("more than the limit of 50"), msg);
  }

  @Test
  void fieldsNameThePathOfABadValue() {
    JsonFields f = JsonFields.root("p.json", parse("{\"steps\": [{\"args\": [\"a\", 3]}]}"));
    String msg = assertThrows(JsonException.class, () -> f.objects("steps").get(0).strings("args")).getMessage();
    assertEquals("p.json: steps[0].args[1]: expected a string, got an integer", msg);
    String unknown = assertThrows(JsonException.class, () -> f.allowOnly("buffers")).getMessage();
    assertTrue(unknown.startsWith("p.json: steps: unknown field"), unknown);
  }
}
