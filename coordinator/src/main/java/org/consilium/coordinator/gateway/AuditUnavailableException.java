package org.consilium.coordinator.gateway;

/** Why a node's audit log could not be fetched; the message says what to do instead. */
public final class AuditUnavailableException extends RuntimeException {
  AuditUnavailableException(String message) {
    super(message);
  }
}
