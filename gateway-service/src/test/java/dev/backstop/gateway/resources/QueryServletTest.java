package dev.backstop.gateway.resources;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The Accept negotiation of POST /v1/query, which JAX-RS did before the endpoint became a servlet. */
class QueryServletTest {
    @Test
    void acceptsJsonWhenNoHeaderOrARangeCoversIt() {
        assertTrue(QueryServlet.acceptsJson(null));
        assertTrue(QueryServlet.acceptsJson(" "));
        assertTrue(QueryServlet.acceptsJson("application/json"));
        assertTrue(QueryServlet.acceptsJson("Application/JSON; charset=utf-8"));
        assertTrue(QueryServlet.acceptsJson("text/html, application/*;q=0.5"));
        assertTrue(QueryServlet.acceptsJson("*/*"));
        assertTrue(QueryServlet.acceptsJson("text/plain, */*;q=0.1"));
    }

    @Test
    void refusesWhenNoRangeCoversJsonOrItsQualityIsZero() {
        assertFalse(QueryServlet.acceptsJson("text/html"));
        assertFalse(QueryServlet.acceptsJson("application/xml, text/*"));
        assertFalse(QueryServlet.acceptsJson("application/json;q=0"));
        assertFalse(QueryServlet.acceptsJson("application/json; q=0.0, text/html"));
        assertFalse(QueryServlet.acceptsJson("application/json;q=bogus"));
    }
}
