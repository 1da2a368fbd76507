/**
 * The RFB (VNC) protocol as vncgate speaks it, socket-free over {@link io.vertx.core.buffer.Buffer}.
 *
 * <ul>
 *   <li>{@link io.vncgate.gateway.rfb.UpstreamHandshake}: the gateway as client to the target, from
 *       the banner to ServerInit (None or VNC authentication, ClientInit shared=1).
 *   <li>{@link io.vncgate.gateway.rfb.ViewerHandshake}: the gateway as server to a viewer; it pauses
 *       at {@link io.vncgate.gateway.rfb.HandshakeStep.AwaitAdmission} for the gateway to admit or
 *       refuse.
 *   <li>{@link io.vncgate.gateway.rfb.ClientMessageFramer}: client-to-server messages after the
 *       handshake, framed one by one and filtered by a per-role {@link
 *       io.vncgate.gateway.rfb.MessagePolicy}; SetEncodings is narrowed to what the server side
 *       can frame.
 *   <li>{@link io.vncgate.gateway.rfb.ServerMessageFramer}: server-to-client messages, followed by
 *       their headers while the bytes stream through (ranges of each read, never buffered whole),
 *       for the clipboard policy toward viewers and to stop a target that breaks the framing;
 *       its streaming (headers collected, payloads passed by length, a message held until judged)
 *       is {@link io.vncgate.gateway.rfb.HeaderStream}, the encodings it can follow
 *       {@link io.vncgate.gateway.rfb.Encodings}.
 * </ul>
 *
 * <p>Every parser is a small state machine named after the spec: each call appends to one
 * accumulation buffer, consumes as many whole messages as are there and keeps partial input for
 * the next call. Nothing here opens sockets, starts threads or needs a Vert.x instance; each object
 * is fed from one thread. Failures are {@link io.vncgate.gateway.rfb.RfbFailure}s with a closed set
 * of causes and messages fit for a viewer (no "target X:" prefix, no secrets).
 *
 * <p>VNC passwords: only the first 8 bytes count ({@link io.vncgate.gateway.rfb.VncAuth}); every
 * server truncates longer ones silently.
 */
package io.vncgate.gateway.rfb;
