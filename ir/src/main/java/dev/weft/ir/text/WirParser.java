package dev.weft.ir.text;

import dev.weft.ir.Module;
import dev.weft.ir.OpRegistry;
import dev.weft.ir.text.grammar.WirLexer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.antlr.v4.runtime.CharStreams;
import org.antlr.v4.runtime.CommonTokenStream;
import org.antlr.v4.runtime.Token;

/**
 * Parses {@code .wir} text into a {@link Module}. Nodes are built through the op registry and
 * typed by each op's shape function, as {@link dev.weft.ir.GraphBuilder} does. Every error is
 * a {@link WirParseException} at the first problem, {@code FILE:LINE:COL: ...}; the input is
 * untrusted, so nesting is bounded before ANTLR's recursive descent sees it.
 */
public final class WirParser {
  /** How deeply graphs may nest inside node attributes. */
  public static final int DEFAULT_MAX_DEPTH = 256;

  private final OpRegistry registry;
  private WeightsSource weights;
  private int maxDepth = DEFAULT_MAX_DEPTH;

  public WirParser() { this(OpRegistry.global()); }

  public WirParser(OpRegistry registry) { this.registry = registry; }

  /** Where {@code dense_resource} references are read; {@link #parse(Path)} defaults to the file's folder. */
  public WirParser weights(WeightsSource source) {
    this.weights = source;
    return this;
  }

  public WirParser maxDepth(int depth) {
    if (depth < 0) throw new IllegalArgumentException("negative depth");
    this.maxDepth = depth;
    return this;
  }

  public Module parse(String text) { return parse(text, "<string>"); }

  /** Parses {@code text}; {@code fileName} names it in errors and becomes the module's source file. */
  public Module parse(String text, String fileName) {
    return parse(text, fileName, weights == null ? WeightsSource.none() : weights);
  }

  /** Parses a file; {@code dense_resource} files resolve in its folder unless {@link #weights} said otherwise. */
  public Module parse(Path file) throws IOException {
    String text = Files.readString(file, StandardCharsets.UTF_8);
    return parse(text, file.toString(), weights != null ? weights : WeightsSource.folder(file.toAbsolutePath().getParent()));
  }

  private Module parse(String text, String fileName, WeightsSource source) {
    Diag diag = new Diag(fileName);
    WirLexer lexer = new WirLexer(CharStreams.fromString(text, fileName));
    lexer.removeErrorListeners();
    lexer.addErrorListener(new ThrowingErrorListener(diag));
    CommonTokenStream tokens = new CommonTokenStream(lexer);
    tokens.fill();
    checkNesting(tokens, diag);
    var parser = new dev.weft.ir.text.grammar.WirParser(tokens);
    parser.removeErrorListeners();
    parser.addErrorListener(new ThrowingErrorListener(diag));
    var tree = parser.file();
    WirBuilder b = new WirBuilder(diag, registry, source, maxDepth, maxFreshSymbol(tokens));
    Module m = b.module(tree);
    m.setSourceFile(fileName);
    return m;
  }

  /**
   * Rejects bracket nesting a valid module of {@code maxDepth} graphs cannot reach (a graph
   * level costs at most a list, an attribute dict and a body; types nest too), so the
   * recursive-descent parser and builder never recurse deeper than that.
   */
  private void checkNesting(CommonTokenStream tokens, Diag diag) {
    long limit = 4L * maxDepth + 64;
    int depth = 0;
    for (Token t : tokens.getTokens()) {
      switch (t.getText()) {
        case "(", "[", "{", "<" -> {
          if (++depth > limit) throw diag.at(t, "nesting deeper than " + limit + " brackets (graphs may nest " + maxDepth + " deep)");
        }
        case ")", "]", "}", ">" -> depth--;
        default -> { }
      }
    }
  }

  /** Highest N among dim symbols spelled {@code _sN}, so fresh symbols made during inference cannot clash. */
  private static int maxFreshSymbol(CommonTokenStream tokens) {
    int max = -1;
    for (Token t : tokens.getTokens()) {
      String s = t.getType() == WirLexer.STRING ? WirSyntax.unquote(t.getText()) : t.getText();
      if (s.length() > 2 && s.length() < 11 && s.startsWith("_s") && s.substring(2).chars().allMatch(Character::isDigit)) {
        max = (int) Math.max(max, Math.min(Long.parseLong(s.substring(2)), Integer.MAX_VALUE - 1));
      }
    }
    return max;
  }
}
