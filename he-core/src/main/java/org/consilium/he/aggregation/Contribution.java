package org.consilium.he.aggregation;

import com.google.protobuf.ByteString;

/**
 * A party's encrypted vector (the bytes of an {@code EncryptedVectorProto}) and its signature
 * over the session, the party and the bytes' digest: what the server relays back to every
 * decrypting party so each can recompute the sum it is asked to decrypt.
 */
public record Contribution(String party, ByteString encryptedVector, ByteString signature) {}
