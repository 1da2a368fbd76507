package io.vncgate.testbeds.bench;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.Writer;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The relay run's {@link SyntheticRfbServer} in a JVM of its own (this jar, this class's
 * {@link #main}), so that an idle viewer holds one socket in the bench JVM (its viewer end) and one
 * here (the server's end) instead of two in the bench JVM: each process then needs about N + 256
 * open files for N idle viewers, and 10,000 fit under a hard limit of 20,000.
 *
 * <p>The child prints {@code port N} once it listens, then answers each line {@code connections}
 * on its standard input with the number of connections it holds; it exits when its standard input
 * closes (the bench ended, however it ended).
 */
final class SyntheticServerProcess implements AutoCloseable {
  private static final String MAIN = SyntheticServerProcess.class.getName();

  final int port;
  private final Process process;
  private final Writer commands;
  private final BufferedReader answers;

  private SyntheticServerProcess(Process process, int port, Writer commands, BufferedReader answers) {
    this.process = process;
    this.port = port;
    this.commands = commands;
    this.answers = answers;
  }

  /** Starts the child with the bench's own java and class path; its stderr goes to {@code work/synthetic-server.log}. */
  static SyntheticServerProcess start(Path work, int width, int height) throws IOException {
    String java = ProcessHandle.current().info().command().orElse("java");
    List<String> cmd = new ArrayList<>(List.of(java, "-Xmx512m", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"),
        MAIN, Integer.toString(width), Integer.toString(height)));
    Process p = new ProcessBuilder(cmd).redirectError(work.resolve("synthetic-server.log").toFile()).start();
    BufferedReader answers = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.US_ASCII));
    Writer commands = new OutputStreamWriter(p.getOutputStream(), StandardCharsets.US_ASCII);
    String first = answers.readLine(); // the child prints its port once it listens, or exits
    if (first == null || !first.startsWith("port ")) {
      p.destroyForcibly();
      throw new IOException("the synthetic RFB server process did not start (" + first + "); see " + work.resolve("synthetic-server.log"));
    }
    return new SyntheticServerProcess(p, Integer.parseInt(first.substring(5).trim()), commands, answers);
  }

  long pid() {
    return process.pid();
  }

  /** Connections the server holds now. */
  synchronized int connections() {
    try {
      commands.write("connections\n");
      commands.flush();
      String line = answers.readLine();
      if (line == null) throw new IllegalStateException("the synthetic RFB server process exited");
      return Integer.parseInt(line.trim());
    } catch (IOException e) {
      throw new IllegalStateException("the synthetic RFB server process does not answer: " + e.getMessage(), e);
    }
  }

  @Override
  public void close() {
    try {
      commands.close();
    } catch (IOException e) {
      // it is going anyway
    }
    try {
      if (!process.waitFor(5, TimeUnit.SECONDS)) process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }

  /** The child: {@code width height}. */
  public static void main(String[] args) throws Exception {
    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(1).setPreferNativeTransport(true));
    SyntheticRfbServer server = new SyntheticRfbServer(vertx, Integer.parseInt(args[0]), Integer.parseInt(args[1]));
    int port = server.listen().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.US_ASCII);
    out.println("port " + port);
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.US_ASCII));
    for (String line = in.readLine(); line != null; line = in.readLine()) {
      if (line.trim().equals("connections")) out.println(server.connections());
    }
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    System.exit(0);
  }
}
