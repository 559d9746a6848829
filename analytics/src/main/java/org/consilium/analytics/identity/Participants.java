package org.consilium.analytics.identity;

import java.security.cert.X509Certificate;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;

/**
 * Reads a participant's identity from its consortium certificate: the id is the subject CN,
 * the role ("node" or "coordinator") the OU. The certificate chain itself is checked by TLS or
 * by the caller against the consortium CA; this only names what a valid certificate says.
 */
public final class Participants {
  public static final String ROLE_NODE = "node";
  public static final String ROLE_COORDINATOR = "coordinator";

  private Participants() {}

  public static String id(X509Certificate cert) {
    return attribute(cert, "CN");
  }

  public static String role(X509Certificate cert) {
    return attribute(cert, "OU");
  }

  /** The consortium a certificate belongs to (its subject O; the CA's own certificate has one too). */
  public static String consortium(X509Certificate cert) {
    return attribute(cert, "O");
  }

  private static String attribute(X509Certificate cert, String type) {
    try {
      for (Rdn rdn : new LdapName(cert.getSubjectX500Principal().getName()).getRdns()) {
        if (rdn.getType().equalsIgnoreCase(type)) return rdn.getValue().toString();
      }
    } catch (InvalidNameException e) {
      throw new IllegalArgumentException("malformed certificate subject " + cert.getSubjectX500Principal());
    }
    return null;
  }
}
