package dev.backstop.snapshot.store;

/** A conditional write lost: the object exists (If-None-Match) or changed (If-Match). */
public class PreconditionFailedException extends ObjectStoreException {
    public PreconditionFailedException(String message) {
        super(message);
    }
}
