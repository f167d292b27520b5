package dev.weft.frontend.torchscript;

/** A pickle stream that the restricted unpickler refuses: names the archive, entry and byte offset. */
public final class PickleException extends TorchArchiveException {
  private final long offset;

  public PickleException(String archive, String entry, long offset, String message) {
    super(archive, entry, archive + ": entry '" + entry + "' at byte " + offset + ": " + message, null, true);
    this.offset = offset;
  }

  /** Byte offset in the pickle of the opcode at fault. */
  public long offset() { return offset; }
}
