package app;

import picocli.CommandLine;

/** The version printed by --version: the jar's implementation version when packaged. */
public final class StrataVersion implements CommandLine.IVersionProvider {
  @Override
  public String[] getVersion() {
    String v = Main.class.getPackage().getImplementationVersion();
    return new String[] {"strata " + (v != null ? v : "dev")};
  }
}
