package dev.backstop.snapshot;

import java.time.Instant;
import java.util.List;

/** Recovery points of every member table of a group at one LSN. */
public record GroupRecoveryPoint(int formatVersion, String group, String recoveryPointId, Lsn lsn,
                                 Instant createdAt, List<Member> members, String groupSha256) {
    public GroupRecoveryPoint {
        members = List.copyOf(members);
    }

    public record Member(TableRef table, String manifestKey, String manifestSha256) {
    }

    public GroupRecoveryPoint withChecksum(String sha) {
        return new GroupRecoveryPoint(formatVersion, group, recoveryPointId, lsn, createdAt, members, sha);
    }
}
