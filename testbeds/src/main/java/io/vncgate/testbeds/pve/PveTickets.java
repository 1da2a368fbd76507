package io.vncgate.testbeds.pve;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * PVE's tickets, in PVE's shapes, signed with an HMAC key of this testbed instead of the cluster's
 * RSA key (only the testbed verifies them):
 * <ul>
 *   <li>login ticket {@code PVE:<user>:<HEXTIME>::<sig>} (cookie {@code PVEAuthCookie}), valid
 *       −300 s..2 h;</li>
 *   <li>CSRF token {@code <HEXTIME>:<sig>} bound to the user, same window;</li>
 *   <li>VNC ticket {@code PVEVNC:<HEXTIME>::<sig>} over {@code <user>:/vms/<vmid>:<port>}, valid
 *       strictly between −20 s and +40 s of age (PVE::AccessControl::verify_vnc_ticket), sent as
 *       {@code <password>:PVEVNC:…} when a VNC password was generated;</li>
 *   <li>VNC password: 8 random characters {@code '!'..'`'} (PVE::Ticket::generate_vnc_password).</li>
 * </ul>
 */
final class PveTickets {

  private static final Pattern LOGIN = Pattern.compile("^PVE:(\\S+):([A-F0-9]{8})::([^:\\s]+)$");
  private static final Pattern CSRF = Pattern.compile("^([A-Z0-9]{8}):(\\S+)$");
  private static final Pattern VNC = Pattern.compile("^(PVEVNC:([A-F0-9]{8}))::([^:\\s]+)$");
  private static final Pattern VNC_WITH_PASSWORD = Pattern.compile("^.{8}:(PVEVNC:.*)$");

  private final SecureRandom random = new SecureRandom();
  private final byte[] key = new byte[32];

  PveTickets() {
    random.nextBytes(key);
  }

  String loginTicket(String user, long now) {
    String plain = "PVE:" + user + ":" + hex(now);
    return plain + "::" + sign(plain);
  }

  /** The user of a valid login ticket, or null. */
  String verifyLoginTicket(String ticket, long now) {
    Matcher m = ticket == null ? null : LOGIN.matcher(ticket);
    if (m == null || !m.matches()) {
      return null;
    }
    String plain = "PVE:" + m.group(1) + ":" + m.group(2);
    long age = now - Long.parseLong(m.group(2), 16);
    return validSignature(plain, m.group(3)) && age > -300 && age < 7200 ? m.group(1) : null;
  }

  String csrfToken(String user, long now) {
    String timestamp = hex(now);
    return timestamp + ":" + sign(timestamp + ":" + user);
  }

  boolean verifyCsrfToken(String token, String user, long now) {
    Matcher m = token == null ? null : CSRF.matcher(token);
    if (m == null || !m.matches()) {
      return false;
    }
    long age = now - Long.parseLong(m.group(1), 16);
    return validSignature(m.group(1) + ":" + user, m.group(2)) && age > -300 && age < 7200;
  }

  String vncTicket(String user, String aclPath, int port, long now) {
    String plain = "PVEVNC:" + hex(now);
    return plain + "::" + sign(plain + ":" + user + ":" + aclPath + ":" + port);
  }

  /** PVE's check: signature over user, path and port, and an age strictly inside (−20 s, 40 s). */
  boolean verifyVncTicket(String ticket, String user, String aclPath, int port, long now) {
    if (ticket == null) {
      return false;
    }
    Matcher withPassword = VNC_WITH_PASSWORD.matcher(ticket);
    String bare = withPassword.matches() ? withPassword.group(1) : ticket;
    Matcher m = VNC.matcher(bare);
    if (!m.matches()) {
      return false;
    }
    long age = now - Long.parseLong(m.group(2), 16);
    return validSignature(m.group(1) + ":" + user + ":" + aclPath + ":" + port, m.group(3))
        && age > -20 && age < 40;
  }

  String vncPassword() {
    char[] chars = new char[8];
    for (int i = 0; i < chars.length; i++) {
      chars[i] = (char) ('!' + random.nextInt('`' - '!' + 1));
    }
    return new String(chars);
  }

  private static String hex(long epochSeconds) {
    return String.format(Locale.ROOT, "%08X", epochSeconds);
  }

  private String sign(String data) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return Base64.getEncoder().encodeToString(mac.doFinal(data.getBytes(StandardCharsets.UTF_8)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 unavailable", e);
    }
  }

  private boolean validSignature(String data, String signature) {
    return MessageDigest.isEqual(sign(data).getBytes(StandardCharsets.US_ASCII),
        signature.getBytes(StandardCharsets.US_ASCII));
  }
}
