package dev.backstop.snapshot.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import org.apache.http.HttpHost;
import org.apache.http.protocol.BasicHttpContext;
import org.junit.jupiter.api.Test;

class NoTlsSocketFactoryTest {
    /** Nothing listens on the discard port: connections are refused at once. */
    private static final String CLOSED = "127.0.0.1:9";

    @Test
    void aTlsConnectionIsRefusedNotMadeInPlainText() {
        IOException create = assertThrows(IOException.class,
                () -> NoTlsSocketFactory.INSTANCE.createSocket(new BasicHttpContext()));
        assertEquals("TLS is not set up: the object store's endpoint is http://", create.getMessage());
        IOException connect = assertThrows(IOException.class, () -> NoTlsSocketFactory.INSTANCE.connectSocket(1000,
                null, new HttpHost("s3.example.com", 443, "https"), new InetSocketAddress("127.0.0.1", 9), null,
                new BasicHttpContext()));
        assertEquals("TLS is not set up: the object store's endpoint is http://, not https://s3.example.com:443",
                connect.getMessage());
    }

    @Test
    void bothSchemesReachTheirEndpointWithTheirOwnSocketFactory() {
        for (String scheme : new String[] {"http://", "https://"}) {
            try (S3ObjectStore store = S3ObjectStore.create(new S3Settings(scheme + CLOSED, "us-east-1", "b", "p", true,
                    "key", "secret"))) {
                ObjectStoreException e = assertThrows(ObjectStoreException.class, () -> store.head("p/x"));
                // The connection itself was attempted (and refused): TLS was set up for https, not needed for http.
                assertTrue(e.getMessage().contains("Connection refused") || e.getMessage().contains("connect"),
                        scheme + ": " + e.getMessage());
                assertFalse(e.getMessage().contains("TLS is not set up"), scheme + ": " + e.getMessage());
            }
        }
    }
}
