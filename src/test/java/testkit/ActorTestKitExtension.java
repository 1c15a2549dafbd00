package testkit;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * JUnit 5 home for an {@link ActorTestKit} (akka-actor-testkit-typed 2.6 has JUnit 4 support
 * only): created before all tests of a class, shut down after them. Use as
 * {@code @RegisterExtension static final ActorTestKitExtension kit = new ActorTestKitExtension();}.
 * The actor system is local (no cluster) unless the given config says otherwise.
 */
public final class ActorTestKitExtension implements BeforeAllCallback, AfterAllCallback {
  private final Config config;
  private ActorTestKit kit;

  public ActorTestKitExtension() {
    this(ConfigFactory.empty());
  }

  public ActorTestKitExtension(Config config) {
    this.config = config.withFallback(ConfigFactory.parseString("akka.actor.provider = local"));
  }

  public ActorTestKit kit() {
    if (kit == null) throw new IllegalStateException("the ActorTestKit exists only while the test class runs");
    return kit;
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    kit = ActorTestKit.create(context.getRequiredTestClass().getSimpleName(), config.withFallback(ActorTestKit.applicationTestConfig()).withFallback(ConfigFactory.load()));
  }

  @Override
  public void afterAll(ExtensionContext context) {
    if (kit != null) kit.shutdownTestKit();
    kit = null;
  }
}
