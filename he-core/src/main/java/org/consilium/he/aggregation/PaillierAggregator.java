package org.consilium.he.aggregation;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import org.consilium.he.paillier.Ciphertext;
import org.consilium.he.paillier.PaillierPublicKey;
import org.consilium.he.threshold.PartialDecryption;
import org.consilium.he.threshold.ThresholdPublicKey;

/**
 * The server's side of threshold-Paillier aggregation, messages in and out. It collects signed
 * encrypted contributions (a badly signed one is refused here, so one party cannot make the
 * honest ones refuse the whole aggregate), adds them under encryption and asks the contributors
 * to decrypt; then it checks every partial decryption's proof once and combines any t correct
 * ones. It only ever holds ciphertexts until the final sum, which covers at least t inputs.
 */
public final class PaillierAggregator {
  public enum Stage { CONTRIBUTE, DECRYPT, DONE }

  private final Layout layout;
  private final ThresholdPublicKey key;
  private final SignatureCheck signatures;
  private Stage stage = Stage.CONTRIBUTE;
  private final Map<String, Contribution> contributions = new TreeMap<>();
  private final Map<String, List<Ciphertext>> opened = new TreeMap<>();
  private final Map<String, Partials> partials = new TreeMap<>();
  private List<Ciphertext> sum;

  public PaillierAggregator(AggregationSession session, ThresholdPublicKey key, SignatureCheck signatures) {
    this.layout = new Layout(session, key.encryptionKey());
    this.key = key;
    this.signatures = signatures;
  }

  /** The key contributions are encrypted under (to decode partial decryptions received). */
  public PaillierPublicKey encryptionKey() {
    return layout.key;
  }

  public Stage stage() {
    return stage;
  }

  /** The parties still expected to answer at this stage. */
  public SortedSet<String> pending() {
    TreeSet<String> out = new TreeSet<>(stage == Stage.CONTRIBUTE ? layout.session.participants()
        : stage == Stage.DECRYPT ? contributions.keySet() : List.of());
    out.removeAll(stage == Stage.CONTRIBUTE ? contributions.keySet() : partials.keySet());
    return out;
  }

  /** The parties whose inputs are in the sum (known once contributions are closed). */
  public List<String> contributors() {
    if (stage == Stage.CONTRIBUTE) throw new IllegalStateException("contributions are not closed yet");
    return List.copyOf(contributions.keySet());
  }

  public void receive(Contribution c) {
    expect(Stage.CONTRIBUTE, "contributions");
    if (contributions.containsKey(c.party())) throw new IllegalArgumentException("duplicate contribution from '" + c.party() + "'");
    opened.put(c.party(), layout.open(c, signatures));
    contributions.put(c.party(), c);
  }

  /** Ends the contributions: the request every contributor is sent; throws {@link AggregationFailed} under the threshold. */
  public DecryptRequest closeContributions() {
    expect(Stage.CONTRIBUTE, "closing the contributions");
    AggregationSession s = layout.session;
    if (contributions.size() < s.threshold()) {
      throw new AggregationFailed("only " + contributions.size() + " of " + s.participants().size() + " parties contributed, threshold is "
          + s.threshold() + "; nothing is released");
    }
    sum = layout.sum(new ArrayList<>(opened.values()));
    opened.clear();
    stage = Stage.DECRYPT;
    return new DecryptRequest(new ArrayList<>(contributions.values()));
  }

  public void receive(Partials p) {
    expect(Stage.DECRYPT, "partial decryptions");
    if (!contributions.containsKey(p.party())) throw new IllegalArgumentException("'" + p.party() + "' did not contribute and is not asked to decrypt");
    if (partials.containsKey(p.party())) throw new IllegalArgumentException("duplicate partial decryptions from '" + p.party() + "'");
    if (p.decryption().values().size() != sum.size()) {
      throw new IllegalArgumentException("'" + p.party() + "' sent " + p.decryption().values().size() + " partial decryptions, expected " + sum.size());
    }
    partials.put(p.party(), p);
  }

  /**
   * Checks every proof once, leaves out a party whose proof fails, and combines t correct ones
   * into the sum of the contributors' vectors; throws {@link AggregationFailed} naming the
   * rejected parties when fewer than t are correct.
   */
  public RingValues finish() {
    expect(Stage.DECRYPT, "finishing the decryption");
    List<PartialDecryption> received = new ArrayList<>();
    partials.values().forEach(p -> received.add(p.decryption()));
    ThresholdPublicKey.VectorDecryption decrypted;
    try {
      decrypted = key.decryptVector(sum, received);
    } catch (ThresholdPublicKey.TooFewCorrectPartials e) {
      // Name the parties: each sent the partial decryptions of its own key share (its key-share index).
      List<String> failed = partials.values().stream().filter(p -> e.rejected().contains(p.decryption().party())).map(Partials::party).toList();
      throw new AggregationFailed(e.getMessage() + (failed.isEmpty() ? "" : " (parties " + failed + ")") + "; nothing is released");
    }
    stage = Stage.DONE;
    List<BigInteger> plaintexts = decrypted.plaintexts();
    return RingValues.adopt(layout.packing.unpack(plaintexts, layout.session.length(), contributions.size()));
  }

  private void expect(Stage s, String what) {
    if (stage != s) throw new IllegalArgumentException("stage " + stage + " does not take " + what);
  }
}
