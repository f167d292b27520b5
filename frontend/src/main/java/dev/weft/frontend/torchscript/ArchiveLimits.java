package dev.weft.frontend.torchscript;

/**
 * Resource limits for reading one archive. Every limit is checked before the memory it guards is
 * allocated; exceeding one is a {@link TorchArchiveException} naming the entry.
 *
 * @param maxEntries zip entries in the central directory
 * @param maxTotalBytes uncompressed bytes of all entries together (declared, and as read)
 * @param maxCompressionRatio uncompressed/compressed size of one entry, checked for entries above
 *     {@code ratioGraceBytes} (zip bombs)
 * @param ratioGraceBytes entries at most this large are exempt from the ratio check
 * @param maxPickleBytes size of one {@code .pkl} entry or one code file
 * @param maxStack unpickler stack depth
 * @param maxMemo unpickler memo entries
 * @param maxNesting open MARKs, and the nesting depth of the unpickled value
 * @param maxTensorBytes bytes of all tensors materialized from storages
 */
public record ArchiveLimits(
    int maxEntries,
    long maxTotalBytes,
    long maxCompressionRatio,
    long ratioGraceBytes,
    int maxPickleBytes,
    int maxStack,
    int maxMemo,
    int maxNesting,
    long maxTensorBytes) {

  public static final ArchiveLimits DEFAULT = new ArchiveLimits(
      100_000, 64L << 30, 100, 1L << 20, 512 << 20, 1 << 20, 1 << 20, 512, 64L << 30);

  public ArchiveLimits {
    if (maxEntries <= 0 || maxTotalBytes <= 0 || maxCompressionRatio <= 0 || ratioGraceBytes < 0
        || maxPickleBytes <= 0 || maxStack <= 0 || maxMemo <= 0 || maxNesting <= 0 || maxTensorBytes < 0) {
      throw new IllegalArgumentException("archive limits must be positive");
    }
  }

  public ArchiveLimits withMaxTotalBytes(long v) {
    return new ArchiveLimits(maxEntries, v, maxCompressionRatio, ratioGraceBytes, maxPickleBytes, maxStack,
        maxMemo, maxNesting, maxTensorBytes);
  }

  public ArchiveLimits withMaxEntries(int v) {
    return new ArchiveLimits(v, maxTotalBytes, maxCompressionRatio, ratioGraceBytes, maxPickleBytes, maxStack,
        maxMemo, maxNesting, maxTensorBytes);
  }

  public ArchiveLimits withMaxTensorBytes(long v) {
    return new ArchiveLimits(maxEntries, maxTotalBytes, maxCompressionRatio, ratioGraceBytes, maxPickleBytes,
        maxStack, maxMemo, maxNesting, v);
  }

  public ArchiveLimits withMaxNesting(int v) {
    return new ArchiveLimits(maxEntries, maxTotalBytes, maxCompressionRatio, ratioGraceBytes, maxPickleBytes,
        maxStack, maxMemo, v, maxTensorBytes);
  }
}
