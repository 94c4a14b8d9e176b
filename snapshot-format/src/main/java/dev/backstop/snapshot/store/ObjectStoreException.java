package dev.backstop.snapshot.store;

/** The store could not be reached or refused a request (not a precondition failure). */
public class ObjectStoreException extends RuntimeException {
    public ObjectStoreException(String message, Throwable cause) {
        super(message, cause);
    }

    public ObjectStoreException(String message) {
        super(message);
    }
}
