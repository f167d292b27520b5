package dev.weft.frontend.torchscript;

import dev.weft.bundle.DType;
import java.lang.foreign.MemorySegment;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A restricted unpickler for the pickles in TorchScript archives (protocol 2 and up). It knows
 * exactly the opcodes PyTorch's writers emit, resolves GLOBALs only against {@link PickleGlobals}
 * and implements every allowed callable itself; it never loads a class or runs model code.
 * Every length is bounded by the bytes remaining and the stack, memo and nesting are capped, so a
 * hostile pickle ends in a {@link PickleException} naming the entry and the opcode's byte offset.
 */
final class Unpickler {
  /** A resolved GLOBAL: one of the three things a GLOBAL may name. */
  sealed interface Global permits Callable, StorageType, ClassRef {
    String qualifiedName();
  }

  record Callable(PickleGlobals.Builtin builtin) implements Global {
    public String qualifiedName() { return builtin.module + "." + builtin.name; }
  }

  record StorageType(String name, DType dtype) implements Global {
    public String qualifiedName() { return "torch." + name; }
  }

  /** A TorchScript class ({@code __torch__.*}); NEWOBJ of it makes a {@link ScriptObject}. */
  record ClassRef(String qualifiedName) implements Global {}

  /** A storage loaded for a persistent id: little-endian bytes, {@code numel} elements of {@code dtype}. */
  record Storage(String entry, DType dtype, long numel, MemorySegment bytes) {}

  /** Reads the storage a persistent id names; reports problems as a message. */
  interface StorageLoader {
    Storage load(String key, StorageType type, String location, long numel) throws StorageError;
  }

  static final class StorageError extends Exception {
    StorageError(String message) { super(message, null, false, false); }
  }

  private final String archive;
  private final String entry;
  private final byte[] data;
  private final ArchiveLimits limits;
  private final StorageLoader storages;
  private final TensorViews.Budget budget;

  private final ArrayList<Object> stack = new ArrayList<>();
  private int[] marks = new int[16];
  private int markCount;
  private final Map<Long, Object> memo = new HashMap<>();
  private int pos;
  private int opPos;

  /**
   * @param storages null when the entry may not reference storages (any persistent id is refused)
   */
  Unpickler(String archive, String entry, byte[] data, ArchiveLimits limits, StorageLoader storages,
      TensorViews.Budget budget) {
    this.archive = archive;
    this.entry = entry;
    this.data = data;
    this.limits = limits;
    this.storages = storages;
    this.budget = budget;
  }

  /** Unpickles a stream that may not reference storages. */
  static Object loadPlain(String archive, String entry, byte[] data, ArchiveLimits limits) {
    return new Unpickler(archive, entry, data, limits, null, new TensorViews.Budget(0)).load();
  }

  PickleException fail(String message) { return new PickleException(archive, entry, opPos, message); }

  Object load() {
    while (true) {
      opPos = pos;
      if (pos >= data.length) throw fail("truncated stream: ended without STOP");
      int op = data[pos++] & 0xff;
      switch (op) {
        case 0x80 -> { // PROTO
          int v = u8();
          if (v < 2 || v > 5) throw fail("unsupported pickle protocol " + v + " (expected 2 to 5)");
        }
        case 0x95 -> { // FRAME: a length prefix for buffering; the content is read as ordinary opcodes
          long n = i64();
          if (n < 0 || n > remaining()) throw fail("FRAME length " + Long.toUnsignedString(n) + " exceeds the "
              + remaining() + " bytes remaining");
        }
        case 'c' -> push(global(line("module"), line("name")));
        case 0x93 -> { // STACK_GLOBAL
          Object name = pop();
          Object module = pop();
          if (!(module instanceof String m) || !(name instanceof String n)) {
            throw fail("STACK_GLOBAL needs two strings, got " + PyValues.typeName(module) + " and "
                + PyValues.typeName(name));
          }
          push(global(m, n));
        }
        case 'q' -> memoPut(u8());
        case 'r' -> memoPut(u32());
        case 0x94 -> memoPut(memo.size()); // MEMOIZE
        case 'h' -> memoGet(u8());
        case 'j' -> memoGet(u32());
        case '(' -> mark();
        case 't' -> push(tuple(popMark()));
        case 0x85 -> push(tuple(popN(1)));
        case 0x86 -> push(tuple(popN(2)));
        case 0x87 -> push(tuple(popN(3)));
        case ')' -> push(PyTuple.EMPTY);
        case ']' -> push(new ArrayList<>());
        case '}' -> push(new LinkedHashMap<>());
        case 's' -> { // SETITEM
          Object value = pop();
          Object key = pop();
          setItem(dictOnTop("SETITEM"), key, value);
        }
        case 'u' -> { // SETITEMS
          List<Object> items = popMark();
          LinkedHashMap<Object, Object> d = dictOnTop("SETITEMS");
          if (items.size() % 2 != 0) throw fail("SETITEMS with an odd number (" + items.size() + ") of items");
          for (int i = 0; i < items.size(); i += 2) setItem(d, items.get(i), items.get(i + 1));
        }
        case 'a' -> { // APPEND
          Object value = pop();
          listOnTop("APPEND").add(value);
        }
        case 'e' -> { // APPENDS
          List<Object> items = popMark();
          listOnTop("APPENDS").addAll(items);
        }
        case 0x81 -> newObj();
        case 'b' -> build();
        case 'R' -> {
          Object args = pop();
          Object fn = pop();
          push(reduce(fn, args));
        }
        case 'Q' -> push(persistentLoad(pop()));
        case 'X' -> push(utf8(u32()));
        case 0x8c -> push(utf8(u8()));
        case 0x8d -> push(utf8(i64()));
        case 'B' -> push(bytes(u32()));
        case 'C' -> push(bytes(u8()));
        case 0x8e -> push(bytes(i64()));
        case 'J' -> push((long) i32());
        case 'K' -> push((long) u8());
        case 'M' -> push((long) u16());
        case 0x8a -> push(long1());
        case 'G' -> {
          need(8);
          double d = ByteBuffer.wrap(data, pos, 8).getDouble(); // big-endian, as pickle writes it
          pos += 8;
          push(d);
        }
        case 0x88 -> push(Boolean.TRUE);
        case 0x89 -> push(Boolean.FALSE);
        case 'N' -> push(PyNone.NONE);
        case '.' -> {
          return stop();
        }
        default -> throw fail(String.format("unknown or unsupported opcode 0x%02x%s", op,
            op >= 0x21 && op < 0x7f ? " ('" + (char) op + "')" : ""));
      }
    }
  }

  private Object stop() {
    if (markCount > 0) throw fail("STOP with " + markCount + " MARK(s) still open");
    if (stack.size() != 1) throw fail("STOP with " + stack.size() + " values on the stack (expected 1)");
    Object result = stack.removeLast();
    String bad = PyValues.checkModel(result, limits.maxNesting());
    if (bad != null) throw fail(bad);
    return result;
  }

  // ---- reading ----

  private int remaining() { return data.length - pos; }

  private void need(long n) {
    if (n > remaining()) {
      throw fail("truncated stream: opcode needs " + n + " bytes, " + remaining() + " remain");
    }
  }

  private int u8() {
    need(1);
    return data[pos++] & 0xff;
  }

  private int u16() {
    need(2);
    int v = (data[pos] & 0xff) | (data[pos + 1] & 0xff) << 8;
    pos += 2;
    return v;
  }

  private int i32() {
    need(4);
    int v = (data[pos] & 0xff) | (data[pos + 1] & 0xff) << 8 | (data[pos + 2] & 0xff) << 16 | (data[pos + 3] & 0xff) << 24;
    pos += 4;
    return v;
  }

  private long u32() { return i32() & 0xffffffffL; }

  private long i64() {
    need(8);
    long v = 0;
    for (int i = 7; i >= 0; i--) v = (v << 8) | (data[pos + i] & 0xff);
    pos += 8;
    return v;
  }

  /** Checks a length field against the bytes remaining before anything is allocated. */
  private int length(long n) {
    if (n < 0 || n > remaining()) {
      throw fail("truncated stream or bad length: length " + Long.toUnsignedString(n) + " exceeds the " + remaining()
          + " bytes remaining");
    }
    return (int) n;
  }

  private String utf8(long n) {
    int len = length(n);
    try {
      String s = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(data, pos, len)).toString();
      pos += len;
      return s;
    } catch (CharacterCodingException e) {
      throw fail("string is not valid UTF-8");
    }
  }

  private byte[] bytes(long n) {
    int len = length(n);
    byte[] b = java.util.Arrays.copyOfRange(data, pos, pos + len);
    pos += len;
    return b;
  }

  private Object long1() {
    int n = u8();
    need(n);
    if (n == 0) return 0L;
    byte[] be = new byte[n];
    for (int i = 0; i < n; i++) be[i] = data[pos + n - 1 - i];
    pos += n;
    BigInteger v = new BigInteger(be);
    return v.bitLength() < 64 ? (Object) v.longValue() : v;
  }

  private String line(String what) {
    int max = Math.min(remaining(), 512);
    for (int i = 0; i < max; i++) {
      byte b = data[pos + i];
      if (b == '\n') {
        String s = new String(data, pos, i, StandardCharsets.ISO_8859_1);
        pos += i + 1;
        return s;
      }
      if (b < 0x20 || b >= 0x7f) throw fail("GLOBAL " + what + " has a non-printable byte");
    }
    throw fail("GLOBAL " + what + " is not terminated by a newline within " + max + " bytes");
  }

  // ---- stack, marks, memo ----

  private void push(Object v) {
    if (stack.size() >= limits.maxStack()) throw fail("stack exceeds " + limits.maxStack() + " values");
    stack.add(v);
  }

  private Object pop() {
    if (stack.size() <= (markCount == 0 ? 0 : marks[markCount - 1])) {
      throw fail(markCount == 0 ? "stack underflow" : "stack underflow: the top of the stack is a MARK");
    }
    return stack.removeLast();
  }

  private Object top(String op) {
    if (stack.size() <= (markCount == 0 ? 0 : marks[markCount - 1])) throw fail(op + " on an empty stack");
    return stack.getLast();
  }

  private void mark() {
    if (markCount >= limits.maxStack()) throw fail("more than " + limits.maxStack() + " open MARKs");
    if (markCount == marks.length) marks = java.util.Arrays.copyOf(marks, marks.length * 2);
    marks[markCount++] = stack.size();
  }

  private List<Object> popMark() {
    if (markCount == 0) throw fail("no MARK on the stack");
    int m = marks[--markCount];
    List<Object> sub = stack.subList(m, stack.size());
    List<Object> items = new ArrayList<>(sub);
    sub.clear();
    return items;
  }

  private List<Object> popN(int n) {
    Object[] items = new Object[n];
    for (int i = n - 1; i >= 0; i--) items[i] = pop();
    return java.util.Arrays.asList(items);
  }

  private void memoPut(long index) {
    if (stack.isEmpty() || (markCount > 0 && marks[markCount - 1] == stack.size())) {
      throw fail("memo store with nothing on the stack");
    }
    if (!memo.containsKey(index) && memo.size() >= limits.maxMemo()) {
      throw fail("memo exceeds " + limits.maxMemo() + " entries");
    }
    memo.put(index, stack.getLast());
  }

  private void memoGet(long index) {
    Object v = memo.get(index);
    if (v == null) throw fail("memo reference " + index + " was never stored");
    push(v);
  }

  // ---- containers ----

  private PyTuple tuple(List<Object> items) { return new PyTuple(items); }

  @SuppressWarnings("unchecked")
  private LinkedHashMap<Object, Object> dictOnTop(String op) {
    Object t = top(op);
    if (t instanceof LinkedHashMap<?, ?> d) return (LinkedHashMap<Object, Object>) d;
    throw fail(op + " on a " + PyValues.typeName(t) + ", not a dict");
  }

  @SuppressWarnings("unchecked")
  private ArrayList<Object> listOnTop(String op) {
    Object t = top(op);
    if (t instanceof ArrayList<?> l) return (ArrayList<Object>) l;
    throw fail(op + " on a " + PyValues.typeName(t) + ", not a list");
  }

  private void setItem(LinkedHashMap<Object, Object> d, Object key, Object value) {
    String why = unhashable(key, 0);
    if (why != null) throw fail("dict key is unhashable: " + why);
    d.put(key, value);
  }

  /** Python's hashability, with the tuple nesting bounded so hashing cannot recurse without limit. */
  private String unhashable(Object key, int depth) {
    if (depth > limits.maxNesting()) return "tuple nested deeper than " + limits.maxNesting();
    return switch (key) {
      case String s -> null;
      case Long l -> null;
      case BigInteger b -> null;
      case Double d -> null;
      case Boolean b -> null;
      case PyNone n -> null;
      case PyTuple t -> {
        for (Object o : t.items()) {
          String w = unhashable(o, depth + 1);
          if (w != null) yield w;
        }
        yield null;
      }
      default -> PyValues.typeName(key);
    };
  }

  // ---- objects ----

  private Global global(String module, String name) {
    String[] why = new String[1];
    Global g = PickleGlobals.resolve(module, name, why);
    if (g == null) {
      throw fail("GLOBAL '" + PyValues.printable(module, 80) + " " + PyValues.printable(name, 80) + "' refused: "
          + why[0]);
    }
    return g;
  }

  private void newObj() {
    Object args = pop();
    Object cls = pop();
    if (!(cls instanceof ClassRef c)) throw fail("NEWOBJ of " + PyValues.typeName(cls) + ", not a TorchScript class");
    if (!(args instanceof PyTuple t) || t.size() != 0) {
      throw fail("NEWOBJ of " + c.qualifiedName() + " with arguments " + PyValues.shortRepr(args)
          + " (TorchScript objects take none)");
    }
    push(new ScriptObject(c.qualifiedName(), new LinkedHashMap<>()));
  }

  private void build() {
    Object state = pop();
    Object inst = top("BUILD");
    switch (inst) {
      case ScriptObject o -> {
        if (state instanceof LinkedHashMap<?, ?> d && allStringKeys(d)) {
          for (Map.Entry<?, ?> e : d.entrySet()) o.attributes().put((String) e.getKey(), e.getValue());
        } else {
          o.attributes().put(ScriptObject.SETSTATE_KEY, state);
        }
      }
      // An OrderedDict's pickled attributes (a state dict's _metadata): not model data, dropped.
      case LinkedHashMap<?, ?> d when state instanceof LinkedHashMap<?, ?> -> { }
      default -> throw fail("BUILD on a " + PyValues.typeName(inst) + " with state " + PyValues.typeName(state));
    }
  }

  private static boolean allStringKeys(Map<?, ?> d) {
    for (Object k : d.keySet()) if (!(k instanceof String)) return false;
    return true;
  }

  private Object reduce(Object fn, Object argsValue) {
    if (!(fn instanceof Callable c)) {
      throw fail("REDUCE of " + PyValues.typeName(fn) + ", which is not an allowed callable");
    }
    if (!(argsValue instanceof PyTuple args)) {
      throw fail("REDUCE of " + c.qualifiedName() + " with " + PyValues.typeName(argsValue) + " arguments, not a tuple");
    }
    return PickleCallables.apply(c, args, budget, this::fail);
  }

  private Storage persistentLoad(Object pid) {
    if (storages == null) throw fail("persistent id " + PyValues.shortRepr(pid) + " in an entry that holds no tensors");
    if (!(pid instanceof PyTuple t) || t.size() != 5 || !"storage".equals(t.get(0))
        || !(t.get(1) instanceof StorageType type) || !(t.get(2) instanceof String key)
        || !(t.get(3) instanceof String location) || !(t.get(4) instanceof Long numel)) {
      throw fail("persistent id " + PyValues.shortRepr(pid)
          + " is not a storage record ('storage', StorageType, key, location, numel)");
    }
    if (numel < 0) throw fail("storage record with negative numel " + numel);
    try {
      return storages.load(key, type, location, numel);
    } catch (StorageError e) {
      throw fail(e.getMessage());
    }
  }
}
