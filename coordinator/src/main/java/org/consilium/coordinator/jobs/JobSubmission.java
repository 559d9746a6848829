package org.consilium.coordinator.jobs;

import com.google.protobuf.ByteString;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.security.cert.CertificateEncodingException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.consilium.analytics.dictionary.DataDictionary;
import org.consilium.analytics.job.Computation;
import org.consilium.analytics.stats.InvalidSpecException;
import org.consilium.analytics.wire.JobSpec;
import org.consilium.analytics.codec.JobSpecs;
import org.consilium.analytics.wire.JobStatus;
import org.consilium.analytics.wire.PeerIdentity;
import org.consilium.coordinator.gateway.NodeGateway;

/**
 * A submitted job checked and made concrete: its computation built (which validates the spec
 * against the data dictionary), its participants (named, or every connected node not
 * suspended) and threshold fixed, an id given, and the certificates it will be offered with.
 */
public final class JobSubmission {
  private JobSubmission() {}

  /** What a valid submission becomes. */
  record Checked(JobSpec spec, Computation computation, List<PeerIdentity> peers, JsonObject record) {}

  /** A job refused at submission; the kind says why (the API maps it to a status), the message names the field or the node. */
  public static final class SubmitException extends RuntimeException {
    /** Why a job was refused at submission. */
    public enum Kind {
      /** The spec is invalid (names the field). */
      INVALID_SPEC,
      /** The consortium cannot run it now (a node is not connected or is suspended). */
      UNAVAILABLE
    }

    private final Kind kind;

    SubmitException(Kind kind, String message) {
      super(message);
      this.kind = kind;
    }

    public Kind kind() {
      return kind;
    }
  }

  static Checked check(JobSpec submitted, String submittedBy, NodeGateway gateway, DataDictionary dictionary, boolean hasHeKey) {
    List<String> connected = gateway.connectedNodes();
    List<String> participants = submitted.getNodesCount() == 0
        ? connected.stream().filter(n -> !gateway.isSuspended(n)).toList()
        : submitted.getNodesList().stream().sorted().toList();
    Computation computation;
    int t;
    try {
      computation = Computation.of(submitted, Math.max(2, participants.size()), dictionary);
      t = participants.size() < 2 ? 2 : JobSpecs.threshold(submitted, participants.size());
    } catch (InvalidSpecException e) {
      throw new SubmitException(SubmitException.Kind.INVALID_SPEC, e.getMessage());
    }
    if (submitted.getAggregation() == org.consilium.analytics.wire.Aggregation.AGGREGATION_THRESHOLD_PAILLIER && !hasHeKey) {
      throw new SubmitException(SubmitException.Kind.INVALID_SPEC, "aggregation: this consortium has no threshold Paillier key (he.public_key)");
    }
    for (String n : participants) {
      if (!connected.contains(n)) throw new SubmitException(SubmitException.Kind.UNAVAILABLE, "nodes: node '" + n + "' is not connected");
      if (gateway.isSuspended(n)) {
        throw new SubmitException(SubmitException.Kind.UNAVAILABLE, "nodes: node '" + n + "' is suspended by an administrator");
      }
    }
    if (participants.size() < 2) {
      throw new SubmitException(SubmitException.Kind.UNAVAILABLE, "nodes: at least 2 connected nodes are needed, have " + participants.size());
    }
    String id = "job-" + UUID.randomUUID();
    JobSpec spec = submitted.toBuilder().setJobId(id).clearNodes().addAllNodes(participants).setThreshold(t)
        .setDictionarySha256(dictionary.digest()).build();
    JsonObject record = new JsonObject()
        .put("id", id)
        .put("computation", JobSpecs.computation(spec))
        .put("status", JobStatus.OFFERED.name())
        .put("submittedAt", Instant.now().toString())
        .put("submittedBy", submittedBy)
        .put("spec", new JsonObject(JobSpecs.toJson(spec)))
        .put("participants", new JsonArray(participants))
        .put("threshold", t)
        .put("rounds", new JsonArray())
        .put("refusals", new JsonArray())
        .put("softwareVersion", org.consilium.analytics.SoftwareVersion.CURRENT);
    JsonObject siteSoftware = new JsonObject();
    for (String n : participants) siteSoftware.put(n, gateway.connection(n).hello().getSoftwareVersion());
    record.put("siteSoftware", siteSoftware);
    List<PeerIdentity> peers = new ArrayList<>();
    int party = 1;
    for (String n : participants) {
      try {
        peers.add(PeerIdentity.newBuilder().setNodeId(n).setPartyIndex(party++)
            .setCertificateDer(ByteString.copyFrom(gateway.connection(n).certificate().getEncoded())).build());
      } catch (CertificateEncodingException e) {
        throw new IllegalStateException(e);
      }
    }
    return new Checked(spec, computation, peers, record);
  }
}
