package io.vncgate.providers.proxmox.api;

/**
 * What a request was for, to say so when it fails.
 *
 * @param what e.g. {@code opening the console of VM 100 on node pve1}
 * @param guest the guest concerned, or null
 * @param login whether this is the password login itself
 */
record PveCall(String what, Guest guest, boolean login) {
  static PveCall listing() {
    return new PveCall("listing the guests (GET /cluster/resources)", null, false);
  }

  static PveCall status(Guest guest) {
    return new PveCall("reading the status of " + guest.kind() + " on node " + guest.node() + " (GET status/current)",
        guest, false);
  }

  static PveCall console(Guest guest) {
    return new PveCall("opening the console of " + guest.kind() + " on node " + guest.node() + " (POST vncproxy)",
        guest, false);
  }

  static PveCall login(String user) {
    return new PveCall("logging in as " + user + " (POST /access/ticket)", null, true);
  }
}
