package dev.weft.passes;

import dev.weft.ir.OpRegistry;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Everything a pipeline run is configured by, in one object rather than in globals (STYLE
 * item 6; TVM's PassContext, XLA's {@code --xla_disable_hlo_passes}): options, disabled passes,
 * instruments, where the verifier runs ({@link Verify}; after every pass by default), where
 * crash reproducers go, the op registry, and the statistics passes count into.
 */
public final class PassContext {
  /**
   * Where the manager runs the {@link dev.weft.ir.Verifier}. A full check costs about as much as
   * a cheap pass, so checking after each of a dozen passes dominates a large graph's pipeline:
   * tests and debugging check after every pass (a broken graph is reported at the pass that
   * broke it); production pipelines ({@code weft optimize}, {@code weft compile}) check the
   * pipeline's input and output only, and say how to find the pass when the output is broken.
   */
  public enum Verify {
    /** Before the first pass and after every pass: the default (XLA's invariant checker). */
    EACH_PASS,
    /** Before the first pass and after the last. */
    ENDS,
    /** Never. */
    OFF;

    /** {@code each}, {@code ends} or {@code off}, as the CLI spells them. */
    public static Verify parse(String s) {
      return switch (s) {
        case "each", "each-pass" -> EACH_PASS;
        case "ends" -> ENDS;
        case "off", "none" -> OFF;
        default -> throw new PipelineException("unknown verify mode '" + s + "' (each, ends or off)");
      };
    }
  }

  private final TreeMap<String, String> options = new TreeMap<>();
  private final Set<String> disabled = new LinkedHashSet<>();
  private final List<PassInstrument> instruments = new ArrayList<>();
  private Verify verify = Verify.EACH_PASS;
  private Path reproducerDir;
  private OpRegistry registry = OpRegistry.global();
  private final Statistics statistics = new Statistics();
  private String currentPass = "";
  private final TreeMap<String, Object> results = new TreeMap<>();

  /**
   * Options for every pass of the pipeline, keyed {@code pass.option} (as
   * {@code constant-fold.max-bytes}); an option given in the pipeline entry wins.
   */
  public PassContext option(String key, String value) {
    options.put(Objects.requireNonNull(key), Objects.requireNonNull(value));
    return this;
  }

  public SortedMap<String, String> options() { return Collections.unmodifiableSortedMap(options); }

  /** Options for {@code pass} from this context: keys {@code pass.*} with the prefix removed. */
  public Map<String, String> optionsFor(String pass) {
    TreeMap<String, String> out = new TreeMap<>();
    String prefix = pass + ".";
    options.forEach((k, v) -> {
      if (k.startsWith(prefix)) out.put(k.substring(prefix.length()), v);
    });
    return out;
  }

  /** The pipeline skips these passes (they still appear, as skipped, in timing). */
  public PassContext disable(String... passes) {
    disabled.addAll(List.of(passes));
    return this;
  }

  public Set<String> disabled() { return Collections.unmodifiableSet(disabled); }

  public boolean isDisabled(String pass) { return disabled.contains(pass); }

  public PassContext instrument(PassInstrument i) {
    instruments.add(Objects.requireNonNull(i));
    return this;
  }

  public List<PassInstrument> instruments() { return Collections.unmodifiableList(instruments); }

  /** True: verify before the first pass and after every pass (the default); false: never. */
  public PassContext verify(boolean on) { return verify(on ? Verify.EACH_PASS : Verify.OFF); }

  public PassContext verify(Verify mode) {
    this.verify = Objects.requireNonNull(mode);
    return this;
  }

  /** Whether the verifier runs at all. */
  public boolean verify() { return verify != Verify.OFF; }

  public Verify verifyMode() { return verify; }

  /**
   * When set, the manager keeps each pass's input and, if the pass throws or breaks the IR,
   * writes it there as a {@code .wir} with the pipeline that reproduces the failure. Null: off.
   */
  public PassContext reproducerDir(Path dir) {
    this.reproducerDir = dir;
    return this;
  }

  public Path reproducerDir() { return reproducerDir; }

  public PassContext registry(OpRegistry r) {
    this.registry = Objects.requireNonNull(r);
    return this;
  }

  public OpRegistry registry() { return registry; }

  public Statistics statistics() { return statistics; }

  /** Adds to a counter of the pass that is running ("cse: merged"). */
  public void count(String counter, long delta) {
    if (delta != 0) statistics.add(currentPass, counter, delta);
  }

  public void count(String counter) { count(counter, 1); }

  /**
   * What a pass leaves for its caller besides the rewritten module, keyed by pass name (the
   * fusion report that {@code --explain-fusion} prints). A later run of the same pass replaces it.
   */
  public void putResult(String pass, Object result) { results.put(Objects.requireNonNull(pass), Objects.requireNonNull(result)); }

  /** The result {@code pass} left, or null when it left none (or did not run). */
  public <T> T result(String pass, Class<T> type) {
    Object o = results.get(pass);
    return type.isInstance(o) ? type.cast(o) : null;
  }

  /** The pipeline entry running now, set by the manager. */
  public String currentPass() { return currentPass; }

  void setCurrentPass(String p) { this.currentPass = p; }
}
