package dev.backstop.snapshot.store;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import org.apache.http.HttpHost;
import org.apache.http.conn.socket.ConnectionSocketFactory;
import org.apache.http.protocol.HttpContext;

/**
 * The {@code https} socket factory of a store whose endpoint is {@code http://}: every request goes to that endpoint
 * in plain HTTP, so TLS is never used. Without it the HTTP client loads the JDK's trust store and sets up a TLS
 * context when it is built (about 0.1-0.2 s of CPU at every start of the restore tool). If anything ever asks it for
 * a TLS connection, the request fails instead of going out unencrypted.
 */
final class NoTlsSocketFactory implements ConnectionSocketFactory {

    static final NoTlsSocketFactory INSTANCE = new NoTlsSocketFactory();

    private NoTlsSocketFactory() {
    }

    @Override
    public Socket createSocket(HttpContext context) throws IOException {
        throw refused(null);
    }

    @Override
    public Socket connectSocket(int connectTimeout, Socket sock, HttpHost host, InetSocketAddress remoteAddress,
                                InetSocketAddress localAddress, HttpContext context) throws IOException {
        throw refused(host);
    }

    private static IOException refused(HttpHost host) {
        return new IOException("TLS is not set up: the object store's endpoint is http://"
                + (host == null ? "" : ", not " + host.toURI()));
    }
}
