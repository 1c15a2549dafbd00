package actors.safekeeper;

import java.util.Map;
import java.util.Optional;
import wire.pg.ProtocolException;
import wire.pg.StartupPacket.StartupMessage;

/** What a safekeeper client says in its startup packet: the timeline (from options) and who it is. */
record StartupOptions(Optional<TimelineId> timeline, String applicationName) {
  static final String MISSING_IDS = "this command needs options='-c tenant_id=<32 hex> timeline_id=<32 hex>' in the startup packet";

  /** Throws IllegalArgumentException naming a malformed option or id. */
  static StartupOptions of(StartupMessage s) {
    Map<String, String> settings;
    try {
      settings = s.optionSettings();
    } catch (ProtocolException e) {
      throw new IllegalArgumentException(e.getMessage());
    }
    String tenant = settings.get("tenant_id");
    String timeline = settings.get("timeline_id");
    Optional<TimelineId> id = Optional.empty();
    if (tenant != null || timeline != null) {
      if (tenant == null || timeline == null) throw new IllegalArgumentException(MISSING_IDS);
      id = Optional.of(new TimelineId(tenant, timeline));
    }
    return new StartupOptions(id, s.parameters().getOrDefault("application_name", ""));
  }

  /** Readers that recover a safekeeper or a proposer need WAL up to flush_lsn, not commit_lsn. */
  boolean wantsFlushPosition() {
    return applicationName.equals("wal_proposer_recovery") || applicationName.startsWith("safekeeper");
  }
}
