package org.consilium.simulations;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.security.KeyPair;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.consilium.analytics.wire.ErrorReport;
import org.consilium.analytics.wire.Frame;

/** A raw TLS client for probing the coordinator's node port with chosen identities and bytes. */
final class TlsProbe implements AutoCloseable {
  private final SSLSocket socket;

  TlsProbe(int port, X509Certificate trustedCa, KeyPair clientKeys, X509Certificate clientCert) throws Exception {
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    trust.setCertificateEntry("ca", trustedCa);
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    KeyStore keys = KeyStore.getInstance("PKCS12");
    keys.load(null, null);
    if (clientKeys != null) keys.setKeyEntry("me", clientKeys.getPrivate(), new char[0], new Certificate[] {clientCert});
    kmf.init(keys, new char[0]);
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(kmf.getKeyManagers(), tmf.getTrustManagers(), new SecureRandom());
    socket = (SSLSocket) ctx.getSocketFactory().createSocket("127.0.0.1", port);
    socket.setSoTimeout(10_000);
    socket.startHandshake();
  }

  void write(byte[] bytes) throws IOException {
    OutputStream out = socket.getOutputStream();
    out.write(bytes);
    out.flush();
  }

  /** Reads one frame; throws if the server closed the connection instead. */
  Frame readFrame() throws IOException {
    DataInputStream in = new DataInputStream(socket.getInputStream());
    int len = in.readInt();
    byte[] body = new byte[len];
    in.readFully(body);
    return Frame.parseFrom(body);
  }

  static String errorOf(Frame f) throws IOException {
    return ErrorReport.parseFrom(f.getPayload()).getMessage();
  }

  /** True once the server has closed the connection (reads hit end of stream or a reset). */
  boolean closedByServer() {
    try {
      return socket.getInputStream().read() == -1;
    } catch (IOException e) {
      return true;
    }
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
