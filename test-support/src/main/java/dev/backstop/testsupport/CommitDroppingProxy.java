package dev.backstop.testsupport;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP proxy in front of PostgreSQL that loses a client's connection at the worst moment: after the server has
 * committed, before the client hears so. On a connection whose client sent a Parse or Query message containing
 * {@code marker}, the next COMMIT is passed to the server with the rest of its batch (up to Sync), the server's
 * answer is read and thrown away, and both sockets are closed: the transaction is committed, and the client sees a
 * broken connection (SQLSTATE 08006) while committing. Every other connection is passed through untouched.
 *
 * <p>Speaks only what it must of the protocol (message framing after the startup packet); clients must connect
 * with {@code sslmode=disable&gssEncMode=disable} ({@link #jdbcUrl}), so no encryption is negotiated.
 */
public final class CommitDroppingProxy implements AutoCloseable {
    private final ServerSocket listener;
    private final String targetHost;
    private final int targetPort;
    private final byte[] marker;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final AtomicInteger dropped = new AtomicInteger();
    private final CountDownLatch firstDrop = new CountDownLatch(1);

    public CommitDroppingProxy(String targetHost, int targetPort, String marker) throws IOException {
        this.targetHost = targetHost;
        this.targetPort = targetPort;
        this.marker = marker.getBytes(StandardCharsets.UTF_8);
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread accept = new Thread(this::acceptLoop, "commit-dropping-proxy");
        accept.setDaemon(true);
        accept.start();
    }

    /** The URL of {@code database} through this proxy. */
    public String jdbcUrl(String database) {
        return "jdbc:postgresql://127.0.0.1:" + listener.getLocalPort() + "/" + database
                + "?sslmode=disable&gssEncMode=disable";
    }

    /** Connections dropped after their COMMIT reached the server. */
    public int dropped() {
        return dropped.get();
    }

    /** Waits until a connection was dropped; false on timeout. */
    public boolean awaitDrop(long seconds) throws InterruptedException {
        return firstDrop.await(seconds, TimeUnit.SECONDS);
    }

    private void acceptLoop() {
        while (!listener.isClosed()) {
            try {
                Socket client = listener.accept();
                Socket server = new Socket();
                server.connect(new InetSocketAddress(targetHost, targetPort), 5000);
                // Messages are passed on whole and at once: with Nagle's algorithm, small writes wait for ACKs.
                client.setTcpNoDelay(true);
                server.setTcpNoDelay(true);
                sockets.add(client);
                sockets.add(server);
                new Connection(client, server).start();
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    /** One proxied connection: a thread each way. */
    private final class Connection {
        private final Socket client;
        private final Socket server;
        /** Set once the marked COMMIT's batch was passed on: from then on the server's answer is swallowed. */
        private volatile boolean swallowing;

        Connection(Socket client, Socket server) {
            this.client = client;
            this.server = server;
        }

        void start() {
            daemon(this::clientToServer, "proxy-c2s").start();
            daemon(this::serverToClient, "proxy-s2c").start();
        }

        private void clientToServer() {
            // Not closed here when the COMMIT is passed on: the client must not see the drop before the server
            // has committed (the other thread closes both at the server's ReadyForQuery).
            try {
                DataInputStream in = new DataInputStream(new java.io.BufferedInputStream(client.getInputStream()));
                OutputStream out = new java.io.BufferedOutputStream(server.getOutputStream(), 1 << 16);
                int len = in.readInt(); // the startup packet has no type byte
                byte[] startup = new byte[len - 4];
                in.readFully(startup);
                out.write(int32(len));
                out.write(startup);
                out.flush();
                boolean armed = false;
                boolean committing = false;
                // Named statements that are a COMMIT: the driver prepares it once, then only binds it.
                java.util.Set<String> commits = new java.util.HashSet<>();
                while (true) {
                    byte type = in.readByte();
                    int n = in.readInt();
                    byte[] body = new byte[n - 4];
                    in.readFully(body);
                    boolean commit = (type == 'P' || type == 'Q') && isCommit(body, type)
                            || type == 'B' && commits.contains(cString(body, cStringEnd(body, 0) + 1));
                    if (type == 'P' && commit && body[0] != 0) {
                        commits.add(cString(body, 0));
                    }
                    if ((type == 'P' || type == 'Q') && contains(body, marker)) {
                        armed = true;
                    } else if (armed && commit) {
                        committing = true;
                    }
                    out.write(type);
                    out.write(int32(n));
                    out.write(body);
                    if (committing && (type == 'S' || type == 'Q')) {
                        swallowing = true; // the server commits; its answer will not reach the client
                        out.flush();
                        return;
                    }
                    if (in.available() == 0) {
                        out.flush(); // nothing more of this batch has arrived: pass it on
                    }
                }
            } catch (IOException e) {
                closeBoth();
            }
        }

        private void serverToClient() {
            try {
                DataInputStream in = new DataInputStream(new java.io.BufferedInputStream(server.getInputStream()));
                OutputStream out = new java.io.BufferedOutputStream(client.getOutputStream(), 1 << 16);
                while (true) {
                    byte type = in.readByte();
                    int n = in.readInt();
                    byte[] body = new byte[n - 4];
                    in.readFully(body);
                    if (swallowing) {
                        if (type == 'Z') { // ReadyForQuery: the COMMIT is done
                            dropped.incrementAndGet();
                            firstDrop.countDown();
                            closeBoth();
                            return;
                        }
                        continue;
                    }
                    out.write(type);
                    out.write(int32(n));
                    out.write(body);
                    if (in.available() == 0) {
                        out.flush();
                    }
                }
            } catch (IOException e) {
                closeBoth();
            }
        }

        private void closeBoth() {
            quietClose(client);
            quietClose(server);
        }
    }

    /** Parse: statement name (C string) then the query; Query: the query. */
    private static boolean isCommit(byte[] body, byte type) {
        int p = type == 'P' ? cStringEnd(body, 0) + 1 : 0;
        while (p < body.length && Character.isWhitespace(body[p])) {
            p++;
        }
        String head = new String(body, p, Math.min(6, Math.max(0, body.length - p)), StandardCharsets.US_ASCII);
        return head.equalsIgnoreCase("COMMIT");
    }

    private static int cStringEnd(byte[] b, int from) {
        int p = from;
        while (p < b.length && b[p] != 0) {
            p++;
        }
        return p;
    }

    private static String cString(byte[] b, int from) {
        return from >= b.length ? "" : new String(b, from, cStringEnd(b, from) - from, StandardCharsets.UTF_8);
    }

    private static boolean contains(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    private static byte[] int32(int v) {
        return new byte[] {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v};
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    private static void quietClose(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    @Override
    public void close() {
        try {
            listener.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        sockets.forEach(CommitDroppingProxy::quietClose);
    }
}
