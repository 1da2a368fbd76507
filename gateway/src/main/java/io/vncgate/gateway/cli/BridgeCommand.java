package io.vncgate.gateway.cli;

import io.vncgate.gateway.demo.XvncDesktop;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code vncgate bridge TARGET --gateway URL}: a native viewer on this machine for a target of a
 * gateway elsewhere. It asks the gateway for a ticket, listens on 127.0.0.1 and tunnels the
 * viewer's connection over {@code wss://} to the gateway's native mode, where the viewer logs in
 * with the ticket as its VNC password (so no other local process can use the port).
 */
@Command(name = "bridge", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
    description = {
        "Open a target in a native VNC viewer (remote-viewer by default) through a gateway on another machine:",
        "the viewer connects to a port on 127.0.0.1 that is tunnelled over wss:// to the gateway, and logs in",
        "with a one-time ticket. The command ends, and the port closes, when the viewer exits.",
        "Exit codes: 0 the viewer ended normally; 1 the viewer exited with an error; 2 a usage error;",
        "3 the gateway could not be reached (or its TLS certificate is not trusted); 4 the gateway refused",
        "(invalid or expired token, unknown or forbidden target); 5 the viewer program is not installed."})
final class BridgeCommand implements Callable<Integer> {
  static final int VIEWER_FAILED = 1;
  static final int UNREACHABLE = 3;
  static final int REFUSED = 4;
  static final int NO_VIEWER = 5;

  @Spec
  CommandSpec spec;

  @Parameters(index = "0", paramLabel = "TARGET", description = "The target id, e.g. pve/100.")
  String target;

  @Option(names = "--gateway", required = true, paramLabel = "URL",
      description = "The gateway's address, e.g. https://vnc.example.org or http://127.0.0.1:6080.")
  String gatewayUrl;

  @Option(names = "--token-file", paramLabel = "FILE",
      description = "Read the token (a JWT) from this file; else it is taken from the VNCGATE_TOKEN environment variable.")
  Path tokenFile;

  @Option(names = "--token", paramLabel = "JWT",
      description = "The token itself (discouraged: other users can see it in the process list).")
  String token;

  @Option(names = "--viewer", paramLabel = "VIEWER", defaultValue = "remote-viewer",
      description = "The viewer: remote-viewer (started for you), vncviewer (the command to run is printed) or none (the port and the connection file are printed); default: ${DEFAULT-VALUE}.")
  String viewer;

  @Option(names = "--ca-file", paramLabel = "PEM",
      description = "Trust the gateway's certificate if this CA (PEM) signed it, for a private CA; else the system's trust store is used.")
  Path caFile;

  /** For tests: added to the viewer's environment (e.g. DISPLAY). */
  Map<String, String> viewerEnvironment = Map.of();
  /** For tests: the local port, once listening. */
  final CompletableFuture<Integer> listening = new CompletableFuture<>();
  /** For tests: the private folder of the viewer's files. */
  final CompletableFuture<Path> filesDir = new CompletableFuture<>();
  /** For tests: the viewer process once started. */
  final CompletableFuture<Process> viewerProcess = new CompletableFuture<>();

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    URI gateway = gatewayUri();
    if (!viewer.equals("remote-viewer") && !viewer.equals("vncviewer") && !viewer.equals("none")) {
      throw new ParameterException(spec.commandLine(), "--viewer must be remote-viewer, vncviewer or none, got '" + viewer + "'");
    }
    if (caFile != null && !Files.isReadable(caFile)) {
      throw new ParameterException(spec.commandLine(), "--ca-file " + caFile + " cannot be read");
    }
    String jwt = token(err);
    if (viewer.equals("remote-viewer") && XvncDesktop.which("remote-viewer").isEmpty()) {
      err.println("vncgate: remote-viewer is not installed: install virt-viewer (e.g. apt install virt-viewer),"
          + " or use --viewer vncviewer or --viewer none");
      return NO_VIEWER;
    }
    try (BridgeTunnel tunnel = new BridgeTunnel(gateway, caFile, err); ViewerFiles files = ViewerFiles.create()) {
      BridgeTunnel.Session session;
      int port;
      try {
        session = tunnel.requestSession(jwt, target);
        port = tunnel.listen(session.wsPath());
      } catch (BridgeTunnel.Failure f) {
        err.println("vncgate: " + f.getMessage());
        return f.exitCode;
      }
      filesDir.complete(files.dir);
      // Ctrl-C or SIGTERM: the viewer we started and the ticket's files go with the bridge (the JVM
      // then closes the port and exits 130 or 143)
      Thread onSignal = new Thread(() -> {
        viewerProcess.thenAccept(Process::destroy);
        files.close();
      }, "vncgate-bridge-stop");
      Runtime.getRuntime().addShutdownHook(onSignal);
      try {
        return viewer(out, err, tunnel, files, port, session);
      } finally {
        try {
          Runtime.getRuntime().removeShutdownHook(onSignal);
        } catch (IllegalStateException e) {
          // shutting down already: the hook runs
        }
      }
    } finally {
      if (listening.isDone()) {
        out.println("Closed the local port.");
        out.flush();
      }
    }
  }

  /** Starts or explains the viewer, and waits until it is done: the exit code. */
  private int viewer(PrintWriter out, PrintWriter err, BridgeTunnel tunnel, ViewerFiles files, int port,
      BridgeTunnel.Session session) throws IOException, InterruptedException {
    return switch (viewer) {
      case "remote-viewer" -> remoteViewer(out, err, files, port, session);
      case "vncviewer" -> {
        Path passwd = files.tigerVncPasswordFile(session.ticket());
        out.println("Listening on 127.0.0.1:" + port + " for " + target + ". Within " + session.expiresInSeconds()
            + " s, run (the password file holds the one-time ticket):");
        out.println();
        out.println("  vncviewer -passwd " + passwd + " 127.0.0.1::" + port);
        out.println();
        out.println("The bridge ends when that viewer disconnects, or on Ctrl-C.");
        out.flush();
        listening.complete(port);
        yield untilFirstConnectionEnds(tunnel);
      }
      default -> {
        Path vv = files.virtViewerFile(target, port, session.ticket());
        out.println("Listening on 127.0.0.1:" + port + " for " + target + ". Within " + session.expiresInSeconds()
            + " s, connect a VNC viewer there with the one-time ticket as its password; the ticket is in " + vv
            + " (a virt-viewer file: remote-viewer " + vv + ").");
        out.println("The bridge ends when that viewer disconnects, or on Ctrl-C.");
        out.flush();
        listening.complete(port);
        yield untilFirstConnectionEnds(tunnel);
      }
    };
  }

  private int untilFirstConnectionEnds(BridgeTunnel tunnel) throws InterruptedException {
    try {
      tunnel.firstConnectionEnded.get();
    } catch (ExecutionException e) {
      // completed normally only
    }
    return 0;
  }

  private int remoteViewer(PrintWriter out, PrintWriter err, ViewerFiles files, int port, BridgeTunnel.Session session)
      throws IOException, InterruptedException {
    Path vv = files.virtViewerFile(target, port, session.ticket());
    listening.complete(port);
    ProcessBuilder pb = new ProcessBuilder("remote-viewer", vv.toString()).redirectErrorStream(true)
        .redirectOutput(files.dir.resolve("remote-viewer.log").toFile());
    pb.environment().putAll(viewerEnvironment);
    Process p;
    try {
      p = pb.start();
    } catch (IOException e) {
      err.println("vncgate: remote-viewer could not be started: " + e.getMessage());
      return NO_VIEWER;
    }
    viewerProcess.complete(p);
    out.println("Started remote-viewer for " + target + " on 127.0.0.1:" + port + "; the bridge ends when it exits.");
    out.flush();
    int status;
    try {
      status = p.waitFor();
    } finally {
      p.destroy();
    }
    if (status == 0) return 0;
    String log = tail(files.dir.resolve("remote-viewer.log"));
    err.println("vncgate: remote-viewer exited with status " + status + (log.isEmpty() ? "" : ": " + log));
    return VIEWER_FAILED;
  }

  /** The last non-blank lines of the viewer's output, for the error line. */
  private static String tail(Path log) {
    try {
      String[] lines = Files.readString(log, StandardCharsets.UTF_8).strip().split("\n");
      StringBuilder b = new StringBuilder();
      for (int i = Math.max(0, lines.length - 3); i < lines.length; i++) {
        if (!lines[i].isBlank()) b.append(b.length() == 0 ? "" : " / ").append(lines[i].strip());
      }
      return b.toString();
    } catch (IOException e) {
      return "";
    }
  }

  private URI gatewayUri() {
    String u = gatewayUrl.strip().replaceAll("/+$", "");
    if (!u.matches("https?://[^/\\s?#]+")) {
      throw new ParameterException(spec.commandLine(), "--gateway must look like https://host[:port], got '" + gatewayUrl + "'");
    }
    try {
      URI uri = new URI(u);
      if (uri.getHost() == null) throw new URISyntaxException(u, "no host");
      return uri;
    } catch (URISyntaxException e) {
      throw new ParameterException(spec.commandLine(), "--gateway must look like https://host[:port], got '" + gatewayUrl + "'");
    }
  }

  /** --token-file, else --token (with a warning), else $VNCGATE_TOKEN; never printed. */
  private String token(PrintWriter err) throws IOException {
    if (tokenFile != null && token != null) {
      throw new ParameterException(spec.commandLine(), "give either --token-file or --token, not both");
    }
    String t;
    if (tokenFile != null) {
      if (!Files.isReadable(tokenFile)) {
        throw new ParameterException(spec.commandLine(), "--token-file " + tokenFile + " cannot be read");
      }
      t = Files.readString(tokenFile, StandardCharsets.UTF_8).strip();
      if (t.isEmpty()) throw new ParameterException(spec.commandLine(), "--token-file " + tokenFile + " is empty");
    } else if (token != null) {
      err.println("vncgate: warning: --token is visible to other users in the process list; prefer --token-file or VNCGATE_TOKEN");
      err.flush();
      t = token.strip();
    } else {
      String env = environment().get("VNCGATE_TOKEN");
      if (env == null || env.isBlank()) {
        throw new ParameterException(spec.commandLine(), "no token: give --token-file FILE or set VNCGATE_TOKEN");
      }
      t = env.strip();
    }
    return t;
  }

  /** For tests: the environment the token is read from. */
  Map<String, String> environment = null;

  private Map<String, String> environment() {
    return environment != null ? environment : new HashMap<>(System.getenv());
  }
}
