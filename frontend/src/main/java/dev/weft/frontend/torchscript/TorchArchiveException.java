package dev.weft.frontend.torchscript;

import dev.weft.bundle.WeftException;
import java.util.Optional;

/** A TorchScript archive that cannot be read safely: names the archive and, where known, the entry. */
public class TorchArchiveException extends WeftException {
  private final String archive;
  private final String entry;

  public TorchArchiveException(String archive, String entry, String message) {
    this(archive, entry, message, null);
  }

  public TorchArchiveException(String archive, String entry, String message, Throwable cause) {
    super(archive + (entry == null ? "" : ": entry '" + entry + "'") + ": " + message, cause);
    this.archive = archive;
    this.entry = entry;
  }

  /** Constructor for subclasses that format their own message. */
  protected TorchArchiveException(String archive, String entry, String fullMessage, Throwable cause, boolean raw) {
    super(fullMessage, cause);
    this.archive = archive;
    this.entry = entry;
  }

  public String archive() { return archive; }

  /** The archive entry at fault, if the error concerns one. */
  public Optional<String> entry() { return Optional.ofNullable(entry); }
}
