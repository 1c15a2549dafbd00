package store.remote;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class S3SettingsTest {
  private static Config strata(String extra) {
    return ConfigFactory.parseString(extra).withFallback(ConfigFactory.load()).getConfig("strata");
  }

  @Test
  void defaultsHaveNoEndpointSoBackupIsOff() {
    S3Settings s = S3Settings.fromConfig(strata(""), Map.of());
    assertFalse(s.configured());
    assertEquals("strata", s.bucket());
    assertEquals("strata", s.accessKey());
    assertEquals(RetryPolicy.DEFAULT, s.retry());
  }

  @Test
  void strataEnvironmentBeatsAwsEnvironmentBeatsConfig() {
    Config c = strata("strata.s3.endpoint = \"http://127.0.0.1:9\"");
    assertEquals("aws", S3Settings.fromConfig(c, Map.of("AWS_ACCESS_KEY_ID", "aws")).accessKey());
    S3Settings both = S3Settings.fromConfig(c, Map.of("AWS_SECRET_ACCESS_KEY", "aws-s", "STRATA_S3_SECRET_KEY", "strata-s"));
    assertEquals("strata-s", both.secretKey());
    assertTrue(both.configured());
    assertFalse(both.toString().contains("strata-s"), "the secret is never printed");
  }

  @Test
  void backoffDoublesUpToTheCap() {
    RetryPolicy p = new RetryPolicy(10, Duration.ofMillis(200), Duration.ofSeconds(1));
    assertEquals(200, p.delayBefore(2).toMillis());
    assertEquals(400, p.delayBefore(3).toMillis());
    assertEquals(800, p.delayBefore(4).toMillis());
    assertEquals(1000, p.delayBefore(5).toMillis());
    assertEquals(1000, p.delayBefore(9).toMillis());
  }

  @Test
  void badValuesNameTheKey() {
    var e = assertThrows(IllegalArgumentException.class, () -> S3Settings.fromConfig(strata("strata.s3.retry.max-attempts = 0"), Map.of()));
    assertTrue(e.getMessage().contains("strata.s3.retry.max-attempts"), e.getMessage());
    var b = assertThrows(IllegalArgumentException.class, () -> S3Settings.fromConfig(strata("strata.s3.bucket = ab"), Map.of()));
    assertTrue(b.getMessage().contains("strata.s3.bucket"), b.getMessage());
  }
}
