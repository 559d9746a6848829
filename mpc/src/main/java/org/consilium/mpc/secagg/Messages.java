package org.consilium.mpc.secagg;

import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import org.consilium.mpc.crypto.AgreementPublicKey;
import org.consilium.mpc.ring.RingVector;
import org.consilium.mpc.sharing.ShamirShare;

/** The messages of secure aggregation. The transport (protobuf, TLS) is the caller's business. */
public final class Messages {
  private Messages() {}

  /** Round 0, party to server: two fresh public keys, signed with the party's identity key. */
  public record AdvertiseKeys(int party, AgreementPublicKey cipherKey, AgreementPublicKey maskKey, byte[] signature) {
    public AdvertiseKeys {
      signature = signature.clone();
    }

    @Override
    public byte[] signature() {
      return signature.clone();
    }
  }

  /** Round 0, server to parties: every advertisement received in time (the set U1). */
  public record Roster(List<AdvertiseKeys> advertisements) {
    public Roster {
      advertisements = List.copyOf(advertisements);
    }
  }

  /** A share bundle sealed for one recipient; only the recipient can open it. */
  public record EncryptedShare(int from, int to, byte[] ciphertext) {
    public EncryptedShare {
      ciphertext = ciphertext.clone();
    }

    @Override
    public byte[] ciphertext() {
      return ciphertext.clone();
    }
  }

  /** Round 1, party to server: one sealed bundle per other member of U1. */
  public record ShareKeys(int party, List<EncryptedShare> shares) {
    public ShareKeys {
      shares = List.copyOf(shares);
    }
  }

  /** Round 1, server to one party: U2 and the bundles addressed to this party. */
  public record SharesForParty(int to, SortedSet<Integer> senders, List<EncryptedShare> shares) {
    public SharesForParty {
      senders = java.util.Collections.unmodifiableSortedSet(new java.util.TreeSet<>(senders));
      shares = List.copyOf(shares);
    }
  }

  /** Round 2, party to server: the input plus self mask plus pairwise masks. */
  public record MaskedInput(int party, RingVector masked) {}

  /** Round 3, server to parties: who delivered a masked input (U3) and who did not. */
  public record UnmaskRequest(SortedSet<Integer> survivors, SortedSet<Integer> dropped) {
    public UnmaskRequest {
      survivors = java.util.Collections.unmodifiableSortedSet(new java.util.TreeSet<>(survivors));
      dropped = java.util.Collections.unmodifiableSortedSet(new java.util.TreeSet<>(dropped));
    }
  }

  /**
   * Round 3, party to server: shares of the self-mask seeds of survivors and of the mask keys
   * of dropped parties; never both for the same party.
   */
  public record UnmaskShares(int party, Map<Integer, ShamirShare> selfMaskSeedShares,
      Map<Integer, ShamirShare> maskKeyShares) {
    public UnmaskShares {
      selfMaskSeedShares = Map.copyOf(selfMaskSeedShares);
      maskKeyShares = Map.copyOf(maskKeyShares);
    }
  }

  /** The output: the exact ring sum of the survivors' inputs and who they were. */
  public record AggregateResult(RingVector sum, SortedSet<Integer> contributors) {}
}
