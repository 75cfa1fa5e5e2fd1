import com.sun.net.httpserver.HttpServer;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import greeting.Greeting;

/** A Java HTTP server on the JDK's own com.sun.net.httpserver, with one library jar on its Class-Path. */
public class Main {
  /** The real uid, from the kernel's view of this process. */
  static String uid() throws Exception {
    for (String line : Files.readAllLines(Path.of("/proc/self/status")))
      if (line.startsWith("Uid:")) return line.split("\\s+")[1];
    return "?";
  }

  public static void main(String[] args) throws Exception {
    int port = Integer.parseInt(System.getenv().getOrDefault("PORT", "8080"));
    HttpServer server = HttpServer.create(new InetSocketAddress(port), 0);
    server.createContext("/", exchange -> {
      try {
        byte[] body = (Greeting.hello("java-http") + " on Java " + Runtime.version().feature() + " uid=" + uid() + "\n")
            .getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "text/plain");
        exchange.sendResponseHeaders(200, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
          out.write(body);
        }
      } catch (Exception e) {
        exchange.sendResponseHeaders(500, -1);
      }
    });
    server.start();
    System.out.println("java-http listening on " + port);
  }
}
