package dev.backstop.testsupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ConnectException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/** An outage on a dedicated server: requests fail while it is down, then work again with data kept. */
@ExtendWith(S3ServerExtension.class)
@DedicatedS3Server
class S3OutageIT {

    @Test
    void stopMakesRequestsFailAndStartBringsDataBack(S3Endpoint s3, S3Server server) {
        URI endpoint = s3.endpoint();
        try (S3Client client = s3.newClient()) {
            client.putObject(b -> b.bucket(s3.bucket()).key("k"), RequestBody.fromString("survives"));

            server.stop();
            assertFalse(server.isRunning());
            SdkClientException down = assertThrows(SdkClientException.class,
                    () -> client.getObjectAsBytes(b -> b.bucket(s3.bucket()).key("k")));
            assertInstanceOf(ConnectException.class, rootCause(down), down.toString());

            server.start();
            assertTrue(server.isRunning());
            assertEquals(endpoint, s3.endpoint());
            // The same client (same endpoint) works again and the object is still there.
            assertEquals("survives", client.getObjectAsBytes(b -> b.bucket(s3.bucket()).key("k"))
                    .asString(StandardCharsets.UTF_8));
        }
    }

    private static Throwable rootCause(Throwable t) {
        Throwable c = t;
        while (c.getCause() != null && c.getCause() != c) {
            c = c.getCause();
        }
        return c;
    }
}
