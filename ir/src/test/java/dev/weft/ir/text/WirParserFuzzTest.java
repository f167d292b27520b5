package dev.weft.ir.text;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.weft.bundle.WeftException;
import dev.weft.ir.Module;
import java.nio.charset.StandardCharsets;

/**
 * Fuzzes the .wir parser with arbitrary UTF-8 text: only typed errors ({@link WeftException}) may
 * escape. A module that parses must also print (the printer is the parser's inverse). Seeds and
 * crashers live in src/test/resources/dev/weft/ir/text/WirParserFuzzTestInputs/parse.
 */
class WirParserFuzzTest {
  private static final WirParser PARSER = new WirParser();

  @FuzzTest(maxDuration = "3m")
  void parse(byte[] data) {
    String text = new String(data, StandardCharsets.UTF_8);
    Module m;
    try {
      m = PARSER.parse(text, "fuzz.wir");
    } catch (WeftException e) {
      return;
    }
    WirPrinter.toText(m);
  }
}
