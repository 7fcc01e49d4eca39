package dev.cutover.it;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP proxy from a local port to a PostgreSQL server, for faults a test injects between the
 * driver and the server: it can stop forwarding (a stalled network: connections stay open, bytes
 * are held) and resume ({@link FencingTest}), refuse new connections (the server out of slots), and
 * replace the {@code application_name} of each connection's startup message, as a pooler's shared
 * server connections do not carry the client's, so that the fence cannot find the backends of the
 * instances behind it ({@link LateRegistrationTest}).
 */
final class TcpProxy implements AutoCloseable {

  private static final int SSL_REQUEST = 80877103;
  private static final int GSS_REQUEST = 80877104;

  private final ServerSocket server;
  private final String host;
  private final int port;
  private final boolean untag;
  private final Object gate = new Object();
  private final List<Socket> sockets = new ArrayList<>();
  private final AtomicInteger allowed = new AtomicInteger(Integer.MAX_VALUE);
  private volatile boolean stalled;
  private volatile boolean closed;

  /** A proxy that forwards every byte as it is. */
  TcpProxy(String host, int port) throws IOException {
    this(host, port, false);
  }

  private TcpProxy(String host, int port, boolean untag) throws IOException {
    this.host = host;
    this.port = port;
    this.untag = untag;
    this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread accept = new Thread(this::accept, "proxy-accept");
    accept.setDaemon(true);
    accept.start();
  }

  /** A proxy that replaces each connection's {@code application_name} (a pooler's server connections). */
  static TcpProxy untagging(String host, int port) throws IOException {
    return new TcpProxy(host, port, true);
  }

  /** The local port to connect to. */
  int port() {
    return server.getLocalPort();
  }

  /** Stops forwarding in both directions; connections stay open. */
  void stall() {
    stalled = true;
  }

  /** Forwards again, what was held first. */
  void resume() {
    synchronized (gate) {
      stalled = false;
      gate.notifyAll();
    }
  }

  /** After {@code n} more connections, those accepted are closed at once (the server out of slots). */
  void refuseAfter(int n) {
    allowed.set(n);
  }

  private void accept() {
    while (!closed) {
      try {
        Socket client = server.accept();
        if (allowed.getAndDecrement() <= 0) {
          closeQuietly(client);
          continue;
        }
        Socket upstream = new Socket(host, port);
        synchronized (sockets) {
          sockets.add(client);
          sockets.add(upstream);
        }
        start(client, upstream, untag);
        start(upstream, client, false);
      } catch (IOException e) {
        if (!closed) {
          System.err.println("proxy: " + e);
        }
      }
    }
  }

  private void start(Socket from, Socket to, boolean startupFirst) {
    Thread t = new Thread(() -> {
      if (startupFirst) {
        try {
          forwardStartup(from.getInputStream(), to.getOutputStream());
        } catch (IOException e) {
          closeQuietly(from);
          closeQuietly(to);
          return;
        }
      }
      pump(from, to);
    }, "proxy-pump");
    t.setDaemon(true);
    t.start();
  }

  private void pump(Socket from, Socket to) {
    byte[] buffer = new byte[8192];
    try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
      int n;
      while ((n = in.read(buffer)) >= 0) {
        awaitForwarding();
        out.write(buffer, 0, n);
        out.flush();
      }
    } catch (IOException | InterruptedException e) {
      // one side closed: close both below
    } finally {
      closeQuietly(from);
      closeQuietly(to);
    }
  }

  private void awaitForwarding() throws InterruptedException {
    synchronized (gate) {
      while (stalled && !closed) {
        gate.wait(100);
      }
    }
  }

  /** Forwards SSL and GSS requests as they are, then the startup message with its application_name replaced. */
  private static void forwardStartup(InputStream in, OutputStream out) throws IOException {
    DataInputStream data = new DataInputStream(in);
    while (true) {
      int length = data.readInt();
      byte[] body = new byte[length - 4];
      data.readFully(body);
      int code = ((body[0] & 0xff) << 24) | ((body[1] & 0xff) << 16) | ((body[2] & 0xff) << 8) | (body[3] & 0xff);
      if (code == SSL_REQUEST || code == GSS_REQUEST) {
        write(out, body);
        continue;
      }
      // key\0value\0 ... \0 after the protocol version
      List<String> parts = new ArrayList<>();
      int start = 4;
      for (int i = 4; i < body.length; i++) {
        if (body[i] == 0) {
          parts.add(new String(body, start, i - start, StandardCharsets.UTF_8));
          start = i + 1;
        }
      }
      ByteArrayOutputStream rewritten = new ByteArrayOutputStream();
      rewritten.write(body, 0, 4);
      for (int i = 0; i + 1 < parts.size(); i += 2) {
        String key = parts.get(i);
        String value = key.equals("application_name") ? "behind a pooler" : parts.get(i + 1);
        rewritten.write(key.getBytes(StandardCharsets.UTF_8));
        rewritten.write(0);
        rewritten.write(value.getBytes(StandardCharsets.UTF_8));
        rewritten.write(0);
      }
      rewritten.write(0);
      write(out, rewritten.toByteArray());
      return;
    }
  }

  private static void write(OutputStream out, byte[] body) throws IOException {
    int length = body.length + 4;
    out.write(new byte[] {(byte) (length >>> 24), (byte) (length >>> 16), (byte) (length >>> 8), (byte) length});
    out.write(body);
    out.flush();
  }

  private static void closeQuietly(Socket s) {
    try {
      s.close();
    } catch (IOException e) {
      // closing anyway
    }
  }

  @Override
  public void close() throws IOException {
    closed = true;
    resume();
    server.close();
    synchronized (sockets) {
      sockets.forEach(TcpProxy::closeQuietly);
    }
  }
}
