package store.remote;

import com.typesafe.config.Config;
import java.util.Map;

/**
 * Where objects live and how to sign requests for them. An empty endpoint means "no object
 * storage configured": callers then run with backup off. Credentials come from
 * {@code strata.s3.access-key}/{@code secret-key}; the environment variables
 * {@code STRATA_S3_ACCESS_KEY}/{@code STRATA_S3_SECRET_KEY}, or else {@code AWS_ACCESS_KEY_ID}/
 * {@code AWS_SECRET_ACCESS_KEY}, override them.
 */
public record S3Settings(String endpoint, String bucket, String region, String accessKey, String secretKey, RetryPolicy retry) {

  public S3Settings(String endpoint, String bucket, String region, String accessKey, String secretKey) {
    this(endpoint, bucket, region, accessKey, secretKey, RetryPolicy.DEFAULT);
  }

  public S3Settings {
    if (bucket.length() < 3) throw new IllegalArgumentException("strata.s3.bucket must have at least 3 characters, got \"" + bucket + "\"");
  }

  /** True when an endpoint is set, i.e. object storage is in use. */
  public boolean configured() {
    return !endpoint.isBlank();
  }

  public S3Settings withEndpoint(String newEndpoint) {
    return new S3Settings(newEndpoint, bucket, region, accessKey, secretKey, retry);
  }

  public S3Settings withRetry(RetryPolicy newRetry) {
    return new S3Settings(endpoint, bucket, region, accessKey, secretKey, newRetry);
  }

  /** Reads {@code strata.s3.*} from the node config (the block under {@code strata}). */
  public static S3Settings fromConfig(Config strata) {
    return fromConfig(strata, System.getenv());
  }

  static S3Settings fromConfig(Config strata, Map<String, String> env) {
    Config s3 = strata.getConfig("s3");
    String access = firstSet(env.get("STRATA_S3_ACCESS_KEY"), env.get("AWS_ACCESS_KEY_ID"), s3.getString("access-key"));
    String secret = firstSet(env.get("STRATA_S3_SECRET_KEY"), env.get("AWS_SECRET_ACCESS_KEY"), s3.getString("secret-key"));
    RetryPolicy retry = s3.hasPath("retry") ? RetryPolicy.fromConfig(s3.getConfig("retry")) : RetryPolicy.DEFAULT;
    return new S3Settings(s3.getString("endpoint"), s3.getString("bucket"), s3.getString("region"), access, secret, retry);
  }

  private static String firstSet(String... values) {
    for (String v : values) if (v != null && !v.isEmpty()) return v;
    return "";
  }

  @Override
  public String toString() {   // never print the secret
    return "S3Settings[endpoint=" + endpoint + ", bucket=" + bucket + ", region=" + region + ", accessKey=" + accessKey + "]";
  }
}
