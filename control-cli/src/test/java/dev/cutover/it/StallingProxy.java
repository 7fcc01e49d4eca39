package dev.cutover.it;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;

/**
 * A TCP proxy from a local port to a server that can be told to stop forwarding (a stalled network:
 * connections stay open, bytes are held) and to resume. For {@link FencingTest}.
 */
final class StallingProxy implements AutoCloseable {

  private final ServerSocket server;
  private final String host;
  private final int port;
  private final Object gate = new Object();
  private final List<Socket> sockets = new ArrayList<>();
  private volatile boolean stalled;
  private volatile boolean closed;

  StallingProxy(String host, int port) throws IOException {
    this.host = host;
    this.port = port;
    this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread accept = new Thread(this::accept, "proxy-accept");
    accept.setDaemon(true);
    accept.start();
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

  private void accept() {
    while (!closed) {
      try {
        Socket client = server.accept();
        Socket upstream = new Socket(host, port);
        synchronized (sockets) {
          sockets.add(client);
          sockets.add(upstream);
        }
        start(client, upstream);
        start(upstream, client);
      } catch (IOException e) {
        if (!closed) {
          System.err.println("proxy: " + e);
        }
      }
    }
  }

  private void start(Socket from, Socket to) {
    Thread t = new Thread(() -> pump(from, to), "proxy-pump");
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
      sockets.forEach(StallingProxy::closeQuietly);
    }
  }
}
