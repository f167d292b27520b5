package dev.weft.passes;

import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.weft.passes.testing.WirCheck;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/** Every {@code golden/<pass>.wir}: its RUN pipeline applied, the printed result matched against its CHECK lines. */
class GoldenTest {
  @TestFactory
  Stream<DynamicTest> golden() throws IOException, URISyntaxException {
    Path dir = Path.of(GoldenTest.class.getResource("/golden").toURI());
    List<Path> files;
    try (Stream<Path> s = Files.list(dir)) {
      files = s.filter(p -> p.toString().endsWith(".wir")).sorted().toList();
    }
    assertFalse(files.isEmpty(), "no golden files in " + dir);
    return files.stream().map(f -> DynamicTest.dynamicTest(f.getFileName().toString(),
        () -> WirCheck.check("golden/" + f.getFileName(), Files.readString(f, StandardCharsets.UTF_8))));
  }
}
