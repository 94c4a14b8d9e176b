package dev.backstop.demo;

/** The demo's fixed local ports (loopback only), so printed commands stay valid across restarts. */
record DemoPorts(int postgres, int s3, int gateway, int gatewayAdmin, int sidecar) {
    static final DemoPorts DEFAULTS = new DemoPorts(55432, 59000, 8090, 8081, 8091);
}
