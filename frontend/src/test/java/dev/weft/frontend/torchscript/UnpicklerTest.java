package dev.weft.frontend.torchscript;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.weft.bundle.DType;
import dev.weft.bundle.Tensor;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The value model, strided views and debug info, on hand-built pickles. */
class UnpicklerTest {
  @TempDir Path dir;

  private static Object plain(PickleBytes p) {
    return Unpickler.loadPlain("t.pt", "t/data.pkl", p.stop().bytes(), ArchiveLimits.DEFAULT);
  }

  private static byte[] floats(float... v) {
    ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
    for (float f : v) b.putFloat(f);
    return b.array();
  }

  private TorchArchive open(byte[] dataPkl, Object... extra) {
    return TorchArchive.open(Fixtures.write(dir, "m.pt", Fixtures.archive(dataPkl, extra).bytes()));
  }

  @Test
  void scalarsAndContainers() {
    Object v = plain(PickleBytes.proto2().mark().none().bool(true).bool(false).integer(7).integer(-5).integer(70000)
        .op(0x8a).op(9).raw(new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 1}) // LONG1 2^64
        .op(0x8a).op(1).raw((byte) 0xff) // LONG1 -1
        .binfloat(-2.5).str("héllo").op(0x8c).op(1).raw((byte) 'z').op('C').op(2).raw((byte) 1, (byte) 2).tuple());
    PyTuple t = assertInstanceOf(PyTuple.class, v);
    assertEquals(List.of(PyNone.NONE, true, false, 7L, -5L, 70000L, BigInteger.ONE.shiftLeft(64), -1L, -2.5, "héllo",
        "z"), t.items().subList(0, 11));
    assertArrayEquals(new byte[] {1, 2}, (byte[]) t.get(11));
  }

  @Test
  void listsDictsMemoAndTypedLists() {
    // d = {"a": [1, 2], ("k", 1): d["a"] (memoized), "ints": build_intlist([3]), "t": restore_type_tag(1.5, "float")}
    Object v = plain(PickleBytes.proto2().emptyDict().mark()
        .str("a").emptyList().binput(0).mark().integer(1).integer(2).appends()
        .mark().str("k").integer(1).tuple().binget(0)
        .str("ints").global("torch.jit._pickle", "build_intlist").mark().emptyList().integer(3).op('a').tuple().reduce()
        .str("t").global("torch.jit._pickle", "restore_type_tag").mark().binfloat(1.5).str("float").tuple().reduce()
        .setitems());
    LinkedHashMap<?, ?> d = assertInstanceOf(LinkedHashMap.class, v);
    assertEquals(List.of("a", PyTuple.of("k", 1L), "ints", "t"), List.copyOf(d.keySet()));
    assertEquals(List.of(1L, 2L), d.get("a"));
    assertSame(d.get("a"), d.get(PyTuple.of("k", 1L)));
    assertEquals(new ArrayList<>(List.of(3L)), d.get("ints"));
    assertEquals(1.5, d.get("t"));
  }

  @Test
  void scriptObjectsWithDictAndSetstateState() {
    Object v = plain(PickleBytes.proto2().objectStart("__torch__.___torch_mangle_3", "Model")
        .str("training").bool(false)
        .str("sub").global("__torch__.torch.nn.modules.linear", "Linear").emptyTuple().newobj()
        .mark().integer(1).str("packed").tuple().build() // non-dict state: kept for __setstate__
        .objectEnd());
    ScriptObject o = assertInstanceOf(ScriptObject.class, v);
    assertEquals("__torch__.___torch_mangle_3.Model", o.className());
    assertEquals("Model", o.simpleName());
    assertEquals(false, o.attr("training").orElseThrow());
    ScriptObject sub = (ScriptObject) o.attr("sub").orElseThrow();
    assertEquals("__torch__.torch.nn.modules.linear.Linear", sub.className());
    assertEquals(PyTuple.of(1L, "packed"), sub.attributes().get(ScriptObject.SETSTATE_KEY));
  }

  @Test
  void stridedViewsAreMaterialized() {
    // storage 0 = [0, 1, 2, 3, 4, 5]; a: its transpose as 3x2; b: elements 2 and 4; c: row 1..2 broadcast (stride 0)
    byte[] pkl = PickleBytes.proto2().mark()
        .tensor("FloatStorage", "0", 6, 0, new long[] {3, 2}, new long[] {1, 3})
        .tensor("FloatStorage", "0", 6, 2, new long[] {2}, new long[] {2})
        .tensor("FloatStorage", "0", 6, 1, new long[] {2, 2}, new long[] {0, 1})
        .tensor("FloatStorage", "0", 6, 0, new long[] {2, 3}, new long[] {3, 1})
        .tensor("FloatStorage", "0", 6, 0, new long[] {2, 3}, new long[] {3, 1})
        .tensor("FloatStorage", "0", 6, 3, new long[] {0, 5}, new long[] {5, 1})
        .tuple().stop().bytes();
    try (TorchArchive a = open(pkl, "m/data/0", floats(0, 1, 2, 3, 4, 5))) {
      PyTuple t = (PyTuple) a.data();
      Tensor transposed = (Tensor) t.get(0);
      assertArrayEquals(new long[] {3, 2}, transposed.shape());
      assertArrayEquals(new float[] {0, 3, 1, 4, 2, 5}, transposed.toFloatArray());
      assertArrayEquals(new float[] {2, 4}, ((Tensor) t.get(1)).toFloatArray());
      assertArrayEquals(new float[] {1, 2, 1, 2}, ((Tensor) t.get(2)).toFloatArray());
      Tensor whole = (Tensor) t.get(3);
      assertArrayEquals(new float[] {0, 1, 2, 3, 4, 5}, whole.toFloatArray());
      // Two whole-storage views share memory, as tied weights do in PyTorch; copies do not.
      assertSame(whole.data(), ((Tensor) t.get(4)).data());
      assertNotSame(whole.data(), transposed.data());
      assertEquals(0, ((Tensor) t.get(5)).size());
    }
  }

  @Test
  void storageDtypesAndParameters() {
    byte[] pkl = PickleBytes.proto2().mark()
        .tensor("LongStorage", "0", 2, 0, new long[] {2}, new long[] {1})
        .tensor("HalfStorage", "1", 1, 0, new long[0], new long[0])
        .tensor("BoolStorage", "2", 2, 1, new long[] {1}, new long[] {1})
        .global("torch._utils", "_rebuild_parameter").mark()
        .tensor("DoubleStorage", "3", 1, 0, new long[] {1}, new long[] {1}).bool(true)
        .global("collections", "OrderedDict").emptyTuple().reduce().tuple().reduce()
        .tuple().stop().bytes();
    ByteBuffer longs = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(-3).putLong(1L << 40);
    byte[] half = {0x00, 0x3c}; // 1.0 in f16
    byte[] dbl = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putDouble(0.25).array();
    try (TorchArchive a = open(pkl, "m/data/0", longs.array(), "m/data/1", half, "m/data/2", new byte[] {0, 1},
        "m/data/3", dbl)) {
      PyTuple t = (PyTuple) a.data();
      Tensor l = (Tensor) t.get(0);
      assertEquals(DType.I64, l.dtype());
      assertArrayEquals(new long[] {-3, 1L << 40}, l.toLongArray());
      Tensor h = (Tensor) t.get(1);
      assertEquals(DType.F16, h.dtype());
      assertEquals(0, h.rank());
      assertEquals(1.0, h.getDouble(0));
      Tensor b = (Tensor) t.get(2);
      assertEquals(DType.BOOL, b.dtype());
      assertEquals(true, b.getBool(0));
      Tensor p = (Tensor) t.get(3);
      assertEquals(DType.F64, p.dtype());
      assertEquals(0.25, p.getDouble(0));
    }
  }

  @Test
  void constantsPickleReadsTheConstantsFolder() {
    byte[] constants = PickleBytes.proto2().mark()
        .tensor("FloatStorage", "0", 2, 0, new long[] {2}, new long[] {1}).integer(4).tuple().stop().bytes();
    byte[] data = PickleBytes.proto2().objectStart("__torch__", "M").objectEnd().stop().bytes();
    try (TorchArchive a = open(data, "m/constants.pkl", constants, "m/constants/0", floats(7, 8))) {
      assertEquals(2, a.constants().size());
      assertArrayEquals(new float[] {7, 8}, ((Tensor) a.constants().get(0)).toFloatArray());
      assertEquals(4L, a.constants().get(1));
      assertEquals("__torch__.M", ((ScriptObject) a.data()).className());
    }
  }

  @Test
  void debugInfoInBothFormats() {
    String text = "def forward(self, x):\n    return x + 1\n";
    // Old format: ((offset, ((text, filename, line), start, end), tag), ...)
    byte[] plainFormat = PickleBytes.proto2().mark()
        .mark().integer(0).mark().mark().str(text).str("model.py").integer(10).tuple().binput(1)
        .integer(0).integer(21).tuple().integer(-1 & 0xff).tuple()
        .mark().integer(57).mark().binget(1).integer(33).integer(38).tuple().tuple()
        .tuple().stop().bytes();
    // Compact format: ("FORMAT_WITH_STRING_TABLE", texts, records); a source is (line indices, file index, line)
    byte[] tableFormat = PickleBytes.proto2().mark().str("FORMAT_WITH_STRING_TABLE")
        .mark().str("").str("def forward(self, x):\n").str("    return x + 1\n").str("model.py").tuple()
        .mark().mark().integer(12).mark()
        .mark().global("torch.jit._pickle", "build_intlist").mark().emptyList().mark().integer(1).integer(2).appends()
        .tuple().reduce().integer(3).integer(10).tuple()
        .integer(33).integer(38).tuple().integer(5).tuple().tuple()
        .tuple().stop().bytes();
    byte[] data = PickleBytes.proto2().none().stop().bytes();
    try (TorchArchive a = open(data, "m/code/__torch__/a.py", "x".getBytes(StandardCharsets.UTF_8),
        "m/code/__torch__/a.py.debug_pkl", plainFormat, "m/code/__torch__/b.py", new byte[0],
        "m/code/__torch__/b.py.debug_pkl", tableFormat)) {
      List<SourceRangeRecord> ra = a.debugInfo("__torch__/a.py").orElseThrow();
      assertEquals(2, ra.size());
      assertEquals(0, ra.get(0).byteOffset());
      assertEquals("def forward(self, x):", ra.get(0).text());
      assertEquals("model.py", ra.get(0).source().filename());
      assertEquals(255, ra.get(0).tag());
      assertEquals(57, ra.get(1).byteOffset());
      assertEquals("x + 1", ra.get(1).text());
      assertEquals(11, ra.get(1).line());
      assertEquals(-1, ra.get(1).tag());
      assertSame(ra.get(0).source(), ra.get(1).source());
      List<SourceRangeRecord> rb = a.debugInfo("__torch__/b.py").orElseThrow();
      assertEquals(1, rb.size());
      assertEquals(12, rb.getFirst().byteOffset());
      assertEquals(new DebugSource(text, "model.py", 10), rb.getFirst().source());
      assertEquals("x + 1", rb.getFirst().text());
      assertEquals(5, rb.getFirst().tag());
    }
  }

  @Test
  void malformedDebugInfoIsATypedErrorOnUse() {
    byte[] data = PickleBytes.proto2().none().stop().bytes();
    byte[] bad = PickleBytes.proto2().mark().str("FORMAT_WITH_STRING_TABLE").mark().str("").tuple()
        .mark().mark().integer(0).mark().mark().global("torch.jit._pickle", "build_intlist").mark().emptyList()
        .mark().integer(9).appends().tuple().reduce().integer(0).integer(1).tuple().integer(0).integer(1).tuple()
        .tuple().tuple().tuple().stop().bytes();
    try (TorchArchive a = open(data, "m/code/x.py", new byte[0], "m/code/x.py.debug_pkl", bad)) {
      TorchArchiveException e = org.junit.jupiter.api.Assertions.assertThrows(TorchArchiveException.class,
          () -> a.debugInfo("x.py"));
      assertEquals("m/code/x.py.debug_pkl", e.entry().orElseThrow());
      org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("string table index 9 out of 1"),
          e.getMessage());
    }
  }

  /** The committed fuzz seeds are valid archives (so fuzzing starts from inputs that get deep). */
  @Test
  void fuzzSeedsAreValid() throws Exception {
    for (String seed : List.of("stored_archive", "deflated_archive")) {
      byte[] bytes;
      try (var in = getClass().getResourceAsStream("TorchArchiveFuzzTestInputs/zipReader/" + seed)) {
        bytes = in.readAllBytes();
      }
      try (TorchArchive a = TorchArchive.open(Fixtures.write(dir, seed + ".pt", bytes))) {
        ScriptObject m = (ScriptObject) a.data();
        assertEquals("__torch__.___torch_mangle_1.M", m.className());
        Tensor w = (Tensor) m.attr("weight").orElseThrow();
        assertArrayEquals(new long[] {4, 4}, w.shape());
        assertArrayEquals(new long[] {4}, ((Tensor) m.attr("bias").orElseThrow()).shape());
        assertEquals(PyTuple.of(1L, "x"), ((ScriptObject) m.attr("sub").orElseThrow()).attributes()
            .get(ScriptObject.SETSTATE_KEY));
        assertEquals(1, a.debugInfo("__torch__/___torch_mangle_1.py").orElseThrow().size());
      }
    }
  }
}
