package dev.weft.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import picocli.CommandLine;

/** {@code weft --version}: the build's version, read from a resource Maven fills in. */
public final class VersionProvider implements CommandLine.IVersionProvider {
  public static String version() {
    Properties p = new Properties();
    try (InputStream in = VersionProvider.class.getResourceAsStream("version.properties")) {
      if (in != null) p.load(in);
    } catch (IOException e) {
      return "unknown";
    }
    return p.getProperty("version", "unknown");
  }

  @Override
  public String[] getVersion() {
    return new String[] {"weft " + version(), "Java " + Runtime.version()};
  }
}
