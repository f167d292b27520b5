package dev.weft.frontend.torchscript;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import java.nio.file.Path;

/** RELIABILITY.md items 13-16: hostile pickles are typed errors naming the entry and byte offset. */
class MaliciousPickleTest {
  @TempDir Path dir;

  private PickleException expect(byte[] pkl, String fragment, long offset) {
    PickleException e = Fixtures.expectError(dir, Fixtures.archive(pkl), PickleException.class, "m/data.pkl", fragment);
    if (offset >= 0) assertEquals(offset, e.offset(), e.getMessage());
    return e;
  }

  @Test
  void globalOsSystemIsRefusedBeforeAnyCall() {
    // The classic exploit: GLOBAL os.system; ('touch pwned',); REDUCE.
    byte[] p = PickleBytes.proto2().global("os", "system").mark().str("touch pwned").tuple().reduce().stop().bytes();
    expect(p, "GLOBAL 'os system' refused: not on the allowlist", 2);
  }

  @Test
  void otherDangerousGlobals() {
    for (String[] g : new String[][] {{"builtins", "eval"}, {"posix", "system"}, {"subprocess", "Popen"},
        {"torch", "load"}, {"torch._utils", "_rebuild_tensor_v2x"}, {"__torch__", "os.system"},
        {"__builtin__", "getattr"}, {"torch.storage", "FloatStorage"}}) {
      byte[] p = PickleBytes.proto2().global(g[0], g[1]).emptyTuple().reduce().stop().bytes();
      expect(p, "refused", 2);
    }
  }

  @Test
  void stackGlobalIsCheckedToo() {
    byte[] p = PickleBytes.proto2().str("builtins").str("eval").op(0x93).stop().bytes();
    expect(p, "GLOBAL 'builtins eval' refused", -1);
  }

  @Test
  void reduceOfANonCallable() {
    byte[] classRef = PickleBytes.proto2().global("__torch__", "M").emptyTuple().reduce().stop().bytes();
    expect(classRef, "REDUCE of global __torch__.M, which is not an allowed callable", 16);
    byte[] storage = PickleBytes.proto2().global("torch", "FloatStorage").emptyTuple().reduce().stop().bytes();
    expect(storage, "REDUCE of global torch.FloatStorage", -1);
    byte[] string = PickleBytes.proto2().str("os.system").emptyTuple().reduce().stop().bytes();
    expect(string, "REDUCE of str", -1);
  }

  @Test
  void quantizedTensorsAreReportedAsUnsupported() {
    byte[] p = PickleBytes.proto2().global("torch._utils", "_rebuild_qtensor").stop().bytes();
    expect(p, "quantized tensors are not supported", 2);
  }

  @Test
  void unknownOpcode() {
    expect(PickleBytes.proto2().op('i').stop().bytes(), "unknown or unsupported opcode 0x69 ('i')", 2); // INST
    expect(PickleBytes.proto2().op(0xff).bytes(), "opcode 0xff", 2);
    expect(PickleBytes.proto2().op('0').stop().bytes(), "opcode 0x30", 2); // POP is not used by PyTorch
  }

  @Test
  void danglingMemo() {
    expect(PickleBytes.proto2().binget(7).stop().bytes(), "memo reference 7 was never stored", 2);
    expect(PickleBytes.proto2().op('j').le(1L << 31, 4).stop().bytes(), "memo reference 2147483648", 2);
  }

  @Test
  void setitemsOnAListAndAppendOnADict() {
    expect(PickleBytes.proto2().emptyList().mark().str("k").str("v").setitems().stop().bytes(),
        "SETITEMS on a list, not a dict", 16);
    expect(PickleBytes.proto2().emptyTuple().str("k").str("v").op('s').stop().bytes(), "SETITEM on a tuple", -1);
    expect(PickleBytes.proto2().emptyDict().none().op('a').stop().bytes(), "APPEND on a dict, not a list", 4);
    expect(PickleBytes.proto2().none().mark().none().appends().stop().bytes(), "APPENDS on a NoneType", -1);
  }

  @Test
  void structuralErrors() {
    expect(PickleBytes.proto2().tuple().stop().bytes(), "no MARK on the stack", 2);
    expect(PickleBytes.proto2().op(0x85).stop().bytes(), "stack underflow", 2);
    expect(PickleBytes.proto2().mark().op(0x85).stop().bytes(), "the top of the stack is a MARK", 3);
    expect(PickleBytes.proto2().none().none().stop().bytes(), "STOP with 2 values", 4);
    expect(PickleBytes.proto2().mark().none().stop().bytes(), "MARK(s) still open", 4);
    expect(PickleBytes.proto2().emptyDict().mark().emptyList().none().setitems().stop().bytes(),
        "dict key is unhashable: list", -1);
    expect(PickleBytes.proto2().op(0x80).op(1).stop().bytes(), "unsupported pickle protocol 1", 2);
    expect(PickleBytes.proto2().global("__torch__", "M").mark().none().tuple().newobj().stop().bytes(),
        "take none", 18);
  }

  @Test
  void truncatedStreams() {
    byte[] full = PickleBytes.proto2().str("hello").binfloat(1.5).integer(70000).tuple().stop().bytes();
    for (int cut = 0; cut < full.length - 1; cut++) {
      byte[] p = java.util.Arrays.copyOf(full, cut);
      Fixtures.expectError(dir, Fixtures.archive(p), PickleException.class, "m/data.pkl", "truncated stream");
    }
    byte[] global = PickleBytes.proto2().global("torch", "FloatStorage").bytes();
    expect(java.util.Arrays.copyOf(global, 10), "not terminated by a newline", 2);
  }

  @Test
  void hugeLengthFieldsDoNotAllocate() {
    // BINUNICODE8 ("LONG_BINUNICODE") with length 2^63, and 2^64-1; BINUNICODE with 2^32-1.
    expect(PickleBytes.proto2().op(0x8d).le(1L << 63, 8).raw("abc".getBytes()).stop().bytes(),
        "length 9223372036854775808 exceeds the 4 bytes remaining", 2);
    expect(PickleBytes.proto2().op(0x8d).le(-1L, 8).stop().bytes(), "length 18446744073709551615 exceeds", 2);
    expect(PickleBytes.proto2().op('X').le(0xffffffffL, 4).stop().bytes(), "length 4294967295 exceeds", 2);
    expect(PickleBytes.proto2().op(0x8e).le(1L << 62, 8).stop().bytes(), "exceeds", 2);
    expect(PickleBytes.proto2().op(0x95).le(1L << 40, 8).stop().bytes(), "FRAME length", 2);
  }

  @Test
  void invalidUtf8() {
    expect(PickleBytes.proto2().op('X').le(2, 4).raw((byte) 0xc3, (byte) 0x28).stop().bytes(), "not valid UTF-8", 2);
  }

  @Test
  void persistentIdThatIsNotAStorage() {
    expect(PickleBytes.proto2().str("os.system").op('Q').stop().bytes(), "is not a storage record", 16);
    expect(PickleBytes.proto2().mark().str("storage").str("FloatStorage").str("0").str("cpu").integer(1).tuple()
        .op('Q').stop().bytes(), "is not a storage record", -1);
    expect(PickleBytes.proto2().mark().str("module").global("torch", "FloatStorage").str("0").str("cpu").integer(1)
        .tuple().op('Q').stop().bytes(), "is not a storage record", -1);
  }

  @Test
  void storageSizeMismatch() {
    byte[] p = PickleBytes.proto2().tensor("FloatStorage", "0", 4, 0, new long[] {4}, new long[] {1}).stop().bytes();
    PickleException e = Fixtures.expectError(dir, Fixtures.archive(p, "m/data/0", new byte[12]), PickleException.class,
        "m/data.pkl", "storage entry 'm/data/0' holds 12 bytes, but the record says 4 x FloatStorage = 16 bytes");
    int binpersid = 0;
    while (p[binpersid] != 'Q') binpersid++;
    assertEquals(binpersid, e.offset());
    expect(p, "storage entry 'm/data/0' is missing", -1);
    byte[] huge = PickleBytes.proto2().tensor("DoubleStorage", "0", Long.MAX_VALUE / 2, 0, new long[] {1},
        new long[] {1}).stop().bytes();
    Fixtures.expectError(dir, Fixtures.archive(huge, "m/data/0", new byte[8]), PickleException.class, "m/data.pkl",
        "overflows int64");
  }

  @Test
  void storageKeyCannotEscapeItsFolder() {
    byte[] p = PickleBytes.proto2().tensor("FloatStorage", "../version", 1, 0, new long[] {1}, new long[] {1}).stop()
        .bytes();
    expect(p, "is not a plain name", -1);
  }

  @Test
  void viewOutsideItsStorage() {
    byte[] p = PickleBytes.proto2().tensor("FloatStorage", "0", 4, 1, new long[] {2, 2}, new long[] {2, 1}).stop()
        .bytes();
    Fixtures.expectError(dir, Fixtures.archive(p, "m/data/0", new byte[16]), PickleException.class, "m/data.pkl",
        "reaches element 4 of a storage of 4");
    byte[] expand = PickleBytes.proto2().tensor("FloatStorage", "0", 4, 0, new long[] {(1L << 40)}, new long[] {0}).stop()
        .bytes();
    Fixtures.expectError(dir, Fixtures.archive(expand, "m/data/0", new byte[16]),
        ArchiveLimits.DEFAULT.withMaxTensorBytes(1 << 20), PickleException.class, "m/data.pkl",
        "exceeds the tensor budget");
  }

  @Test
  void cyclesAndDeepNestingAreRefused() {
    // l = []; l.append(l)
    expect(PickleBytes.proto2().emptyList().binput(0).binget(0).op('a').stop().bytes(), "cycle", -1);
    PickleBytes deep = PickleBytes.proto2();
    for (int i = 0; i < 2000; i++) deep.emptyList();
    for (int i = 0; i < 1999; i++) deep.op('a');
    expect(deep.stop().bytes(), "nests deeper than 512", -1);
    PickleBytes tuples = PickleBytes.proto2().emptyDict().none();
    for (int i = 0; i < 2000; i++) tuples.op(0x85);
    expect(tuples.none().op('s').stop().bytes(), "unhashable", -1);
  }

  @Test
  void constantsAndDebugPicklesAreRestrictedToo() {
    byte[] ok = PickleBytes.proto2().none().stop().bytes();
    byte[] evil = PickleBytes.proto2().global("os", "system").stop().bytes();
    Fixtures.expectError(dir, Fixtures.archive(ok, "m/constants.pkl", evil), PickleException.class, "m/constants.pkl",
        "GLOBAL 'os system' refused");
    Fixtures.expectError(dir, Fixtures.archive(ok, "m/constants.pkl", ok), TorchArchiveException.class,
        "m/constants.pkl", "holds a NoneType, not a tuple");
  }
}
