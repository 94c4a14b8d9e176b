package dev.backstop.restore;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;

/**
 * Reads the output of {@code COPY (SELECT key ...) TO STDOUT (FORMAT binary)} for one smallint, integer or bigint
 * column (PostgreSQL's binary COPY format: signature, flags, header extension; per tuple a field count, then the
 * field's length, -1 for NULL, and its big-endian bytes; a field count of -1 ends the data). Anything else in the
 * stream is an error, so a misread can never turn into a wrong count.
 */
final class BinaryKeyReader {
    private static final byte[] SIGNATURE = {'P', 'G', 'C', 'O', 'P', 'Y', '\n', (byte) 0xff, '\r', '\n', 0};

    /** {@code sorted} is null when there were more than the cap rows; {@code rows} counts NULLs too. */
    record Keys(long[] sorted, long nulls, long rows) {
    }

    private final InputStream in;
    private final byte[] buf = new byte[64 * 1024];
    private final ByteBuffer view = ByteBuffer.wrap(buf); // big-endian, as the format
    private int pos;
    private int end;

    private BinaryKeyReader(InputStream in) {
        this.in = in;
    }

    /**
     * Reads the whole stream, up to its end. {@code width}: 2, 4 or 8 bytes per value; {@code expected}: a size hint;
     * more than {@code cap} rows make the key set be given up (the rows are still read and counted).
     */
    static Keys read(InputStream in, int width, long expected, long cap) throws IOException {
        if (width != 2 && width != 4 && width != 8) {
            throw new IllegalArgumentException("not an integer width: " + width);
        }
        return new BinaryKeyReader(in).keys(width, expected, cap);
    }

    private Keys keys(int width, long expected, long cap) throws IOException {
        header();
        CappedLongs keys = new CappedLongs(Math.min(expected, cap), cap);
        long nulls = 0;
        long rows = 0;
        while (true) {
            need(2);
            short fields = view.getShort(pos);
            pos += 2;
            if (fields == -1) {
                break;
            }
            if (fields != 1) {
                throw new IOException("binary COPY: a tuple of " + fields + " fields, expected 1");
            }
            need(4);
            int length = view.getInt(pos);
            pos += 4;
            if (++rows > cap) {
                keys.drop();
            }
            if (length == -1) {
                nulls++;
                continue;
            }
            if (length != width) {
                throw new IOException("binary COPY: a value of " + length + " bytes, expected " + width);
            }
            need(width);
            keys.add(width == 8 ? view.getLong(pos) : width == 4 ? view.getInt(pos) : view.getShort(pos));
            pos += width;
        }
        if (pos != end || in.read() != -1) {
            throw new IOException("binary COPY: data after the trailer");
        }
        return new Keys(keys.sorted(), nulls, rows);
    }

    private void header() throws IOException {
        need(SIGNATURE.length + 8);
        for (byte b : SIGNATURE) {
            if (buf[pos++] != b) {
                throw new IOException("binary COPY: bad signature");
            }
        }
        int flags = view.getInt(pos);
        // The high 16 bits are the critical ones (bit 16: OIDs follow); a reader must refuse any it does not know.
        if ((flags >>> 16) != 0) {
            throw new IOException("binary COPY: unsupported header flags " + Integer.toHexString(flags));
        }
        int extension = view.getInt(pos + 4);
        pos += 8;
        if (extension < 0) {
            throw new IOException("binary COPY: negative header extension length");
        }
        while (extension > 0) {
            need(1);
            int skip = Math.min(extension, end - pos);
            pos += skip;
            extension -= skip;
        }
    }

    /** At least {@code n} unread bytes in {@code buf} from {@code pos}. */
    private void need(int n) throws IOException {
        if (end - pos >= n) {
            return;
        }
        System.arraycopy(buf, pos, buf, 0, end - pos);
        end -= pos;
        pos = 0;
        while (end < n) {
            int got = in.read(buf, end, buf.length - end);
            if (got < 0) {
                throw new EOFException("binary COPY: the stream ended before its trailer");
            }
            end += got;
        }
    }
}
