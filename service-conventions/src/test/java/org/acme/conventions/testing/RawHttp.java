package org.acme.conventions.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * HTTP as bytes on a socket, for requests no well-behaved client sends: no Host, a bad
 * percent-encoding, conflicting framing headers, a body cut short.
 */
public final class RawHttp {

    /** What came back; {@code status} is -1 when the server closed the connection without answering. */
    public record Answer(int status, Map<String, String> headers, String body) {

        /** A header by its name, case-insensitively; null when absent. */
        public String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }

        @Override
        public String toString() {
            return status + " " + headers + " " + body;
        }
    }

    private RawHttp() {
    }

    /** Sends {@code request} (with its CRLFs) as it is and reads the answer until the server closes. */
    public static Answer send(int port, String request) {
        return send(port, request.getBytes(StandardCharsets.UTF_8));
    }

    public static Answer send(int port, byte[] request) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 2_000);
            socket.setSoTimeout(10_000);
            try {
                socket.getOutputStream().write(request);
                socket.getOutputStream().flush();
            } catch (IOException refusedMidway) {
                // The server may answer (413, 431) and close before a large request is all sent.
            }
            return read(socket.getInputStream());
        } catch (IOException e) {
            throw new UncheckedIOException("port " + port, e);
        }
    }

    /** Sends the head and the first bytes of a body, then closes the connection: a client that gave up mid-upload. */
    public static void abandon(int port, String requestHead, String partOfBody) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 2_000);
            socket.getOutputStream().write((requestHead + partOfBody).getBytes(StandardCharsets.UTF_8));
            socket.getOutputStream().flush();
            socket.setSoLinger(true, 0);
        } catch (IOException e) {
            throw new UncheckedIOException("port " + port, e);
        }
    }

    private static Answer read(InputStream in) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        try {
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                bytes.write(buffer, 0, n);
                if (complete(bytes.toString(StandardCharsets.ISO_8859_1))) {
                    break;
                }
            }
        } catch (SocketTimeoutException | SocketException e) {
            // answered below with whatever arrived
        }
        String text = bytes.toString(StandardCharsets.UTF_8);
        int end = text.indexOf("\r\n\r\n");
        if (text.isEmpty() || end < 0) {
            return new Answer(-1, Map.of(), text);
        }
        String[] lines = text.substring(0, end).split("\r\n");
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
        }
        return new Answer(Integer.parseInt(lines[0].split(" ")[1]), headers, text.substring(end + 4));
    }

    /** A whole answer with a Content-Length has arrived (the server may keep the connection open). */
    private static boolean complete(String text) {
        int end = text.indexOf("\r\n\r\n");
        if (end < 0) {
            return false;
        }
        for (String line : text.substring(0, end).split("\r\n")) {
            if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                int length = Integer.parseInt(line.substring(15).trim());
                return text.getBytes(StandardCharsets.ISO_8859_1).length - end - 4 >= length;
            }
        }
        return false;
    }
}
