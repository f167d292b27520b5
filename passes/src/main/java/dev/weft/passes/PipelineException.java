package dev.weft.passes;

import dev.weft.bundle.WeftException;

/** A pipeline string that does not parse, names an unknown pass, or gives a pass an unknown option. */
public class PipelineException extends WeftException {
  public PipelineException(String message) { super(message); }
}
