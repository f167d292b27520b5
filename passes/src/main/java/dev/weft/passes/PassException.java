package dev.weft.passes;

import dev.weft.bundle.WeftException;
import java.nio.file.Path;

/**
 * A pass threw, or left IR the verifier rejects. Names the pass (the bug is there, STYLE
 * item 7) and, when a reproducer was written, the file holding the pass's input and pipeline.
 */
public class PassException extends WeftException {
  private final String pass;
  private final transient Path reproducer;

  public PassException(String pass, String message, Path reproducer, Throwable cause) {
    super(message + (reproducer == null ? "" : "\n  reproducer: " + reproducer
        + " (run: weft optimize " + reproducer + " --pipeline '" + pass + "')"), cause);
    this.pass = pass;
    this.reproducer = reproducer;
  }

  /** The pipeline entry that failed (with its options), or "" for a module invalid before any pass. */
  public String pass() { return pass; }

  /** The reproducer file, or null when none was written. */
  public Path reproducer() { return reproducer; }
}
