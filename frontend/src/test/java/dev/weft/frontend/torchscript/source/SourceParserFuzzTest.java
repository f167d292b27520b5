package dev.weft.frontend.torchscript.source;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.weft.bundle.WeftException;
import dev.weft.frontend.torchscript.TorchScriptCoverage;
import java.nio.charset.StandardCharsets;
import java.util.TreeMap;

/**
 * Fuzz targets for the TorchScript source parser: only typed errors ({@link WeftException}
 * subclasses) may escape; a StackOverflowError, an ANTLR runtime exception, a hang or an OOM is a
 * finding.
 *
 * <p>A plain {@code mvn test} replays the inputs committed under
 * {@code src/test/resources/dev/weft/frontend/torchscript/source/SourceParserFuzzTestInputs/<method>/}
 * (small hand-written snippets in the style of an archive's {@code code/} files, plus crashers
 * found by fuzzing); {@code JAZZER_FUZZ=1 mvn test -Dtest=SourceParserFuzzTest} fuzzes.
 */
class SourceParserFuzzTest {
  /** The bytes as one source file. */
  @FuzzTest(maxDuration = "3m")
  void parser(byte[] input) {
    String text = new String(input, StandardCharsets.UTF_8);
    try {
      Ast.SourceFile f = SourceParser.parse("code/__torch__/m.py", text);
      f.toString();
      f.hashCode();   // the tree must be safe to print and hash
    } catch (WeftException expected) {
      // the only failure allowed
    }
  }

  /** The bytes as one source file, with tight limits (the limit checks themselves must hold). */
  @FuzzTest(maxDuration = "30s")
  void parserTightLimits(byte[] input) {
    String text = new String(input, StandardCharsets.UTF_8);
    try {
      new SourceParser().maxNesting(3).maxBlocks(4).maxExprDepth(8).parseFile("m.py", text);
    } catch (WeftException expected) {
      // the only failure allowed
    }
  }

  /** The bytes as an archive's code: the op census that {@code weft inspect --ops} prints. */
  @FuzzTest(maxDuration = "30s")
  void coverage(byte[] input) {
    TreeMap<String, String> code = new TreeMap<>();
    code.put("__torch__.py", new String(input, StandardCharsets.UTF_8));
    try {
      TorchScriptCoverage.scan(code).format();
    } catch (WeftException expected) {
      // the only failure allowed
    }
  }
}
