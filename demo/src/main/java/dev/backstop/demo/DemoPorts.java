package dev.backstop.demo;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;

/** The demo's local ports (loopback only). Fixed by default, so printed commands stay valid across restarts. */
record DemoPorts(int postgres, int s3, int gateway, int gatewayAdmin, int sidecar) {
    static final DemoPorts DEFAULTS = new DemoPorts(55432, 59000, 8090, 8081, 8091);

    /** Free ports chosen by the OS: for tests that run beside a demo. */
    static DemoPorts free() {
        // All five sockets stay open until every port is chosen, so no port is handed out twice.
        try (ServerSocket a = new ServerSocket(0); ServerSocket b = new ServerSocket(0);
             ServerSocket c = new ServerSocket(0); ServerSocket d = new ServerSocket(0);
             ServerSocket e = new ServerSocket(0)) {
            return new DemoPorts(a.getLocalPort(), b.getLocalPort(), c.getLocalPort(), d.getLocalPort(),
                    e.getLocalPort());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
