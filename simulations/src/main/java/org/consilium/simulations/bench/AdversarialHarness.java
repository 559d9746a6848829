package org.consilium.simulations.bench;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.consilium.analytics.identity.Pem;
import org.consilium.analytics.wire.Frame;
import org.consilium.analytics.codec.FrameCodec;
import org.consilium.analytics.wire.Hello;
import org.consilium.analytics.wire.MessageType;
import org.consilium.simulations.DefaultJob;
import org.consilium.simulations.LocalConsortium;

/**
 * Harness (not a test): attacks a running four-hospital consortium from one member's stolen
 * certificate and prints what the coordinator did. Fuzzing: well-formed frames of every type
 * with random payloads, and random bytes, before HELLO and after a valid one (reconnecting
 * whenever the coordinator closes a connection). Exhaustion: frames announced far above the pre-HELLO
 * limit, many idle connections, a peer that never reads its answers. After each attack: /health
 * latency, nodes online, coordinator resident memory, and a DP statistics job that must still
 * be released. The test suite runs a short version ({@code AdversarialHarnessTest}).
 *
 * <pre>java -cp simulations/target/consilium-simulations.jar org.consilium.simulations.bench.AdversarialHarness [frames] [idle connections]</pre>
 */
public final class AdversarialHarness {
  private final LocalConsortium consortium;
  private final int port;
  private final SSLContext tls;
  private final String member;

  public AdversarialHarness(LocalConsortium consortium, String member) throws Exception {
    this.consortium = consortium;
    this.member = member;
    this.port = nodesPort(consortium);
    Path kit = consortium.kits().nodeConfigs().get(member).getParent();
    X509Certificate cert = Pem.certificate(kit.resolve("node.crt"));
    KeyStore keys = KeyStore.getInstance("PKCS12");
    keys.load(null, null);
    keys.setKeyEntry("me", Pem.privateKey(kit.resolve("node.key")), new char[0], new Certificate[] {cert});
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(keys, new char[0]);
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    trust.setCertificateEntry("ca", Pem.certificate(consortium.kits().caCertificate()));
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    tls = SSLContext.getInstance("TLS");
    tls.init(kmf.getKeyManagers(), tmf.getTrustManagers(), new SecureRandom());
  }

  private static int nodesPort(LocalConsortium c) throws IOException {
    for (String line : Files.readAllLines(c.work().resolve("logs/coordinator.out"))) {
      int i = line.indexOf("CONSILIUM_COORDINATOR_READY nodes=");
      if (i >= 0) return Integer.parseInt(line.substring(i + 34).split(" ")[0]);
    }
    throw new IllegalStateException("the coordinator's node port is not in its log");
  }

  private SSLSocket connect() throws IOException {
    SSLSocket s = (SSLSocket) tls.getSocketFactory().createSocket("127.0.0.1", port);
    s.setSoTimeout(10_000);
    s.startHandshake();
    return s;
  }

  /**
   * Speaks as the member (with its stolen key: the real node is displaced and comes back by
   * itself): HELLO, then these frames; returns every frame the coordinator sent back within
   * listen, except the WELCOME and heartbeats.
   */
  public List<Frame> speakAsMember(Duration listen, Frame... frames) throws IOException {
    List<Frame> answers = new ArrayList<>();
    try (SSLSocket s = connect()) {
      OutputStream out = s.getOutputStream();
      out.write(FrameCodec.encode(FrameCodec.frame(MessageType.HELLO, "", 0, Hello.newBuilder().setNodeId(member).build())));
      for (Frame f : frames) out.write(FrameCodec.encode(f.toBuilder().setSender(member).build()));
      out.flush();
      FrameCodec.Decoder decoder = new FrameCodec.Decoder(16 << 20);
      long end = System.nanoTime() + listen.toNanos();
      byte[] buf = new byte[8192];
      while (System.nanoTime() < end) {
        s.setSoTimeout((int) Math.max(1, (end - System.nanoTime()) / 1_000_000));
        int n;
        try {
          n = s.getInputStream().read(buf);
        } catch (java.net.SocketTimeoutException e) {
          break;
        }
        if (n < 0) break;
        for (FrameCodec.Decoded d : decoder.feed(java.util.Arrays.copyOf(buf, n))) {
          if (d.frame() == null) continue;
          MessageType t = d.frame().getType();
          // What every connection gets (greeting, liveness, the revocation list) is not an answer to the frames sent.
          if (t != MessageType.WELCOME && t != MessageType.HEARTBEAT && t != MessageType.REVOCATIONS) answers.add(d.frame());
        }
      }
    } catch (IOException e) {
      if (answers.isEmpty()) throw e; // closed after answering (the real node came back): what it said stands
    }
    return answers;
  }

  /** What an attack did, and how the consortium looked afterwards. */
  public record Outcome(String attack, long sent, long answered, long connections, long closedByServer, double seconds,
      double healthMs, int nodesOnline, long coordinatorMiB, boolean jobReleased) {
    @Override
    public String toString() {
      return String.format(Locale.ROOT, "%-34s sent %,9d  answered %,9d  connections %,6d  closed by coordinator %,6d  %6.1f s | "
          + "/health %5.1f ms, %d nodes online, coordinator peak %d MiB, DP job %s", attack, sent, answered, connections, closedByServer,
          seconds, healthMs, nodesOnline, coordinatorMiB, jobReleased ? "released" : "NOT released");
    }
  }

  /** Well-formed frames of random types with random payloads, one in a hundred random bytes instead. */
  public Outcome fuzz(long frames) throws Exception {
    return fuzz("fuzzing before HELLO", frames, new SplittableRandom(42), new byte[0], () -> { });
  }

  /**
   * The same fuzzing after a valid HELLO: the stolen key lets the attacker in as the member (the
   * real node and the attacker displace each other), and every handler behind the door gets random
   * frames. The coordinator must answer or drop them, never crash or stall.
   */
  public Outcome fuzzAfterHello(long frames) throws Exception {
    byte[] hello = FrameCodec.encode(FrameCodec.frame(MessageType.HELLO, "", 0, Hello.newBuilder().setNodeId(member).build()));
    // The real node was displaced: it reconnects and says HELLO again before the consortium is whole.
    return fuzz("fuzzing after HELLO", frames, new SplittableRandom(7), hello,
        () -> LocalConsortium.waitFor(Duration.ofMinutes(1), member + " back online with its own HELLO", () -> memberRestored()));
  }

  /**
   * Sends that many random frames, each connection opened with the greeting, reconnecting whenever
   * the coordinator closes one; then lets the consortium settle before looking at it.
   */
  private Outcome fuzz(String attack, long frames, SplittableRandom r, byte[] greeting, Runnable settle) throws Exception {
    MessageType[] types = MessageType.values();
    AtomicLong answered = new AtomicLong();
    long sent = 0;
    long connections = 0;
    long closed = 0;
    long t0 = System.nanoTime();
    while (sent < frames) {
      connections++;
      try (SSLSocket s = connect()) {
        Thread reader = reader(s, answered);
        OutputStream out = s.getOutputStream();
        out.write(greeting);
        while (sent < frames) {
          try {
            out.write(randomFrame(r, types));
          } catch (IOException e) {
            closed++;
            break;
          }
          sent++;
          if (sent % 256 == 0) out.flush();
        }
        out.flush();
        reader.join(2_000);
      } catch (IOException e) {
        closed++;
      }
    }
    settle.run();
    return outcome(attack, sent, answered.get(), connections, closed, t0);
  }

  private boolean memberRestored() {
    io.vertx.core.json.JsonArray nodes = new io.vertx.core.json.JsonArray(consortium.rest().get("api/v1/nodes").body());
    return nodes.stream().map(o -> (io.vertx.core.json.JsonObject) o).filter(n -> n.getBoolean("online", false))
        .filter(n -> !n.getString("id").equals(member) || !n.getString("softwareVersion", "").isEmpty()).count() == consortium.nodeIds().size();
  }

  private static byte[] randomFrame(SplittableRandom r, MessageType[] types) {
    if (r.nextInt(100) == 0) {
      byte[] junk = new byte[1 + r.nextInt(64)];
      r.nextBytes(junk);
      return java.nio.ByteBuffer.allocate(4 + junk.length).putInt(junk.length).put(junk).array();
    }
    MessageType type = types[r.nextInt(types.length - 1)];
    byte[] payload = new byte[r.nextInt(256)];
    r.nextBytes(payload);
    Frame f = Frame.newBuilder().setProtocolVersion(FrameCodec.PROTOCOL_VERSION).setType(type).setJobId("job-" + r.nextInt(1000))
        .setPayload(com.google.protobuf.ByteString.copyFrom(payload)).build();
    return FrameCodec.encode(f);
  }

  /** Frames announced at 1 MiB (above the 64 KiB pre-HELLO limit), on one connection after another. */
  public Outcome oversized(int times) throws Exception {
    long closed = 0;
    long t0 = System.nanoTime();
    for (int i = 0; i < times; i++) {
      try (SSLSocket s = connect()) {
        s.getOutputStream().write(new byte[] {0, 0x10, 0, 0});
        s.getOutputStream().flush();
        if (drainsToEnd(s)) closed++;
      }
    }
    return outcome("1 MiB frames announced before HELLO", times, closed, times, closed, t0);
  }

  /** Many connections that never say HELLO, all at once: past the limits refused, the rest closed at the HELLO deadline. */
  public Outcome idle(int count) throws Exception {
    List<SSLSocket> open = new ArrayList<>();
    long failed = 0;
    long t0 = System.nanoTime();
    try {
      for (int i = 0; i < count; i++) {
        try {
          open.add(connect());
        } catch (IOException e) {
          failed++;
        }
      }
      long closed = failed;
      for (SSLSocket s : open) if (drainsToEnd(s)) closed++;
      return outcome(count + " idle connections", count, 0, count, closed, t0);
    } finally {
      for (SSLSocket s : open) s.close();
    }
  }

  /**
   * A peer that keeps sending and never reads the answers, for at most the given time: the
   * coordinator must drop it (its answers queue up, or the HELLO deadline passes) rather than
   * buffer for it; the attacker notices by its writes failing.
   */
  public Outcome neverReads(Duration limit) throws Exception {
    long sent = 0;
    boolean closed = false;
    long t0 = System.nanoTime();
    long end = t0 + limit.toNanos();
    try (SSLSocket s = connect()) {
      OutputStream out = s.getOutputStream();
      byte[] frame = FrameCodec.encode(FrameCodec.frame(MessageType.JOB_RESULT, "x".repeat(200), 0, com.google.protobuf.Empty.getDefaultInstance()));
      try {
        while (System.nanoTime() < end) {
          out.write(frame);
          sent++;
        }
        out.flush();
      } catch (IOException e) {
        closed = true;
      }
    }
    return outcome("a peer that never reads", sent, 0, 1, closed ? 1 : 0, t0);
  }

  private static boolean drainsToEnd(SSLSocket s) {
    try {
      s.setSoTimeout(15_000);
      DataInputStream in = new DataInputStream(s.getInputStream());
      byte[] buf = new byte[8192];
      while (in.read(buf) >= 0) {
        // answers until the coordinator closes
      }
      return true;
    } catch (IOException e) {
      return e instanceof javax.net.ssl.SSLException || e.getMessage() == null || !e.getMessage().contains("timed out");
    }
  }

  private static Thread reader(SSLSocket s, AtomicLong answered) {
    Thread t = new Thread(() -> {
      try {
        DataInputStream in = new DataInputStream(s.getInputStream());
        while (true) {
          int len = in.readInt();
          in.skipNBytes(len);
          answered.incrementAndGet();
        }
      } catch (IOException e) {
        // closed
      }
    });
    t.setDaemon(true);
    t.start();
    return t;
  }

  private Outcome outcome(String attack, long sent, long answered, long connections, long closed, long t0) {
    double seconds = (System.nanoTime() - t0) / 1e9;
    long h0 = System.nanoTime();
    boolean healthy = consortium.rest().getAnonymous("health").status() == 200;
    double healthMs = healthy ? (System.nanoTime() - h0) / 1e6 : Double.NaN;
    String id = consortium.submit(DefaultJob.spec("0.05"));
    boolean released = "RELEASED".equals(consortium.awaitJob(id, Duration.ofMinutes(1)).getString("status"));
    return new Outcome(attack, sent, answered, connections, closed, seconds, healthMs, consortium.onlineNodes().size(),
        consortium.peakMemoryMiB("coordinator"), released);
  }

  /** The default consortium with room in every budget for the probe jobs, and a short HELLO deadline. */
  public static LocalConsortium.Options options(Path work) {
    LocalConsortium.Options defaults = LocalConsortium.Options.defaults(work);
    Map<String, Map<String, String>> nodes = new java.util.HashMap<>(defaults.nodeSettings());
    nodes.replaceAll((id, s) -> {
      Map<String, String> m = new java.util.HashMap<>(s);
      m.put("policy.epsilon_cap", "100");
      return m;
    });
    return new LocalConsortium.Options(work, nodes, Map.of("limits.hello_seconds", "5"));
  }

  public static void main(String[] args) throws Exception {
    long frames = args.length > 0 ? Long.parseLong(args[0]) : 100_000;
    int idle = args.length > 1 ? Integer.parseInt(args[1]) : 300;
    Path work = Files.createTempDirectory("consilium-adversarial-");
    try (LocalConsortium c = LocalConsortium.start(options(work))) {
      AdversarialHarness h = new AdversarialHarness(c, "cleveland");
      System.out.printf(Locale.ROOT, "JVM %s; four hospitals on loopback; the attacker holds cleveland's certificate and key%n",
          System.getProperty("java.version"));
      System.out.println(h.fuzz(frames));
      System.out.println(h.fuzzAfterHello(frames));
      System.out.println(h.oversized(200));
      System.out.println(h.idle(idle));
      System.out.println(h.neverReads(Duration.ofSeconds(60)));
    }
  }
}
