package dev.weft.ir.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.weft.ir.Module;
import org.junit.jupiter.api.Test;

/** print(parse(print(m))) == print(m) over random modules, with large constants in a weights file in memory. */
class WirPropertyTest {
  private static final int MODULES = 400;

  @Test
  void randomModulesRoundTrip() {
    for (long seed = 0; seed < MODULES; seed++) {
      Module m = new RandomModules(seed, 3).module();
      MemoryWeights w1 = new MemoryWeights("w.bin");
      String text;
      try {
        text = new WirPrinter().weights(w1).print(m);
      } catch (RuntimeException e) {
        throw new AssertionError("seed " + seed + ": print failed", e);
      }
      Module back;
      try {
        back = new WirParser(TestOps.REGISTRY).weights(w1).parse(text, "seed" + seed + ".wir");
      } catch (RuntimeException e) {
        throw new AssertionError("seed " + seed + ": parse failed on\n" + text, e);
      }
      MemoryWeights w2 = new MemoryWeights("w.bin");
      assertEquals(text, new WirPrinter().weights(w2).print(back), "seed " + seed);
      assertArrayEquals(w1.bytes(), w2.bytes(), "seed " + seed);
      GraphAssert.assertSameModule(m, back);
    }
  }

  @Test
  void inlineAndExternalPrintsParseToTheSameModule() {
    for (long seed = 0; seed < 50; seed++) {
      Module m = new RandomModules(seed, 2).module();
      Module inline = new WirParser(TestOps.REGISTRY).parse(WirPrinter.toText(m));
      GraphAssert.assertSameModule(m, inline);
    }
  }
}
