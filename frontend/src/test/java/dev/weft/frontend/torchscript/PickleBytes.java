package dev.weft.frontend.torchscript;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/** Writes pickle opcodes by hand, as PyTorch's pickler does, for tests. */
final class PickleBytes {
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();

  static PickleBytes proto2() { return new PickleBytes().op(0x80).op(2); }

  PickleBytes op(int b) {
    out.write(b);
    return this;
  }

  PickleBytes raw(byte... b) {
    out.writeBytes(b);
    return this;
  }

  PickleBytes le(long v, int n) {
    for (int i = 0; i < n; i++) out.write((int) (v >>> (8 * i)));
    return this;
  }

  PickleBytes global(String module, String name) {
    return op('c').raw((module + "\n" + name + "\n").getBytes(StandardCharsets.US_ASCII));
  }

  PickleBytes str(String s) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    return op('X').le(b.length, 4).raw(b);
  }

  PickleBytes integer(long v) {
    if (v >= 0 && v < 256) return op('K').op((int) v);
    if (v >= 0 && v < 65536) return op('M').le(v, 2);
    if (v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE) return op('J').le(v, 4);
    return op(0x8a).op(8).le(v, 8);
  }

  PickleBytes binfloat(double d) {
    return op('G').raw(ByteBuffer.allocate(8).order(ByteOrder.BIG_ENDIAN).putDouble(d).array());
  }

  PickleBytes none() { return op('N'); }

  PickleBytes bool(boolean b) { return op(b ? 0x88 : 0x89); }

  PickleBytes mark() { return op('('); }

  PickleBytes tuple() { return op('t'); }

  PickleBytes emptyTuple() { return op(')'); }

  PickleBytes emptyList() { return op(']'); }

  PickleBytes emptyDict() { return op('}'); }

  PickleBytes setitems() { return op('u'); }

  PickleBytes appends() { return op('e'); }

  PickleBytes reduce() { return op('R'); }

  PickleBytes newobj() { return op(0x81); }

  PickleBytes build() { return op('b'); }

  PickleBytes binput(int i) { return op('q').op(i); }

  PickleBytes binget(int i) { return op('h').op(i); }

  PickleBytes stop() { return op('.'); }

  PickleBytes ints(long... v) {
    mark();
    for (long x : v) integer(x);
    return tuple();
  }

  /** {@code _rebuild_tensor_v2(storage(key), offset, size, stride, False, OrderedDict())}. */
  PickleBytes tensor(String storageClass, String key, long numel, long offset, long[] size, long[] stride) {
    global("torch._utils", "_rebuild_tensor_v2").mark();
    mark().str("storage").global("torch", storageClass).str(key).str("cpu").integer(numel).tuple().op('Q');
    integer(offset).ints(size).ints(stride).bool(false);
    return global("collections", "OrderedDict").emptyTuple().reduce().tuple().reduce();
  }

  /** A TorchScript object: {@code GLOBAL cls; (); NEWOBJ; {...}; BUILD}; the caller writes the dict items. */
  PickleBytes objectStart(String module, String cls) {
    return global(module, cls).emptyTuple().newobj().emptyDict().mark();
  }

  PickleBytes objectEnd() { return setitems().build(); }

  byte[] bytes() { return out.toByteArray(); }
}
