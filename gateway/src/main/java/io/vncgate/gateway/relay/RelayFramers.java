package io.vncgate.gateway.relay;

import io.vncgate.gateway.config.GatewayConfig;
import io.vncgate.gateway.rfb.ClientMessageFramer;
import io.vncgate.gateway.rfb.MessagePolicy;
import io.vncgate.gateway.rfb.ServerInit;
import io.vncgate.gateway.rfb.ServerMessageFramer;
import io.vncgate.spi.Limits;

/**
 * The two framers of one relay, tied to each other: the viewer's pixel format changes, fences and
 * update requests tell the server framer how to read what comes back, and the target's
 * confirmations (fences, ExtendedMouseButtons) tell the client framer what viewers may send.
 *
 * @param toServer judges the viewer's messages by its role
 * @param toViewer judges the target's messages
 */
record RelayFramers(ClientMessageFramer toServer, ServerMessageFramer toViewer) {

  /**
   * Framers for a relay to a target that sent {@code serverInit}, with the gateway's clipboard
   * policy narrowed (never widened) by the provider's {@code limits} for this target.
   */
  static RelayFramers of(ServerInit serverInit, GatewayConfig.Clipboard clip, Limits limits, MessagePolicy policy,
      ClientMessageFramer.Listener viewerDrops, ServerMessageFramer.Listener targetDrops) {
    long clipboardMax = clipboardMax(clip, limits);
    boolean clipboardToViewer = clip.toViewer() && limits.clipboardToViewer();
    ClientMessageFramer client = toServer(clip, limits, policy, viewerDrops);
    ServerMessageFramer server = new ServerMessageFramer(serverInit.pixelFormat(), clipboardMax, clipboardToViewer, targetDrops);
    client.formatListener(new ClientMessageFramer.FormatListener() {
      @Override
      public void pixelFormatSent(byte[] pixelFormat, boolean afterSyncFence) {
        server.pixelFormatSent(pixelFormat, afterSyncFence);
      }

      @Override
      public void pixelFormatSent(byte[] pixelFormat, long fence, boolean gatewayFence) {
        server.pixelFormatSent(pixelFormat, fence, gatewayFence);
      }
    });
    server.onFenceSupport(client::serverFencesConfirmed);
    client.updateProgress(server::updatesBegun, server::updatesDone);
    // 7-byte pointer events only once the target itself confirmed ExtendedMouseButtons
    server.onExtendedMouseButtons(client::extendedPointerConfirmed);
    return new RelayFramers(client, server);
  }

  /**
   * The viewer→server framer alone, with the same clipboard policy: a fan-out viewer's (the
   * session builds what goes to the viewer, so no server framer).
   */
  static ClientMessageFramer toServer(GatewayConfig.Clipboard clip, Limits limits, MessagePolicy policy,
      ClientMessageFramer.Listener viewerDrops) {
    return new ClientMessageFramer(policy, clipboardMax(clip, limits), clip.toServer() && limits.clipboardToServer(),
        viewerDrops);
  }

  private static long clipboardMax(GatewayConfig.Clipboard clip, Limits limits) {
    return limits.clipboardMaxBytes() > 0 ? Math.min(limits.clipboardMaxBytes(), clip.maxBytes()) : clip.maxBytes();
  }
}
