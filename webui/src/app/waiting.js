// What the page says while its connection waits before the desktop shows, from the gateway's
// queue events (events.js): the provider still preparing the target (a desktop started on
// demand), or the viewer's place in the line of viewers the gateway lets in a few at a time.
// Plain data in and out, so it is tested without a browser.

/**
 * @param q {preparing, position, length, retryInSeconds, at} as the viewer holds it
 * @param target the target's id, e.g. "desktop/alice"
 * @param nowMs the current time (Date.now()), for the countdown
 * @returns {status, title, detail, next}
 */
export function waitingText(q, target, nowMs) {
  if (q.preparing) {
    return {
      status: "Starting your desktop",
      title: "Starting your desktop…",
      detail: target + " is being started or prepared for you; this can take a few seconds.",
      next: "Keep this page open: it connects by itself.",
    };
  }
  return {
    status: "Waiting for the desktop",
    title: "Waiting for the desktop " + target + "…",
    detail: queueText(q, nowMs),
    next: "The gateway lets a few viewers in at a time so the desktop does not lock it out. "
      + "Keep this page open: it connects by itself.",
  };
}

/** "Position 3 of 12", or while the desktop refuses the gateway, when it is tried again. */
export function queueText(q, nowMs) {
  const place = "Position " + q.position + " of " + q.length + " in line.";
  if (!(q.retryInSeconds > 0)) return place;
  const s = Math.max(0, Math.ceil(q.retryInSeconds - (nowMs - q.at) / 1000));
  return "The desktop is refusing connections from the gateway for a while (too many at once); trying again in " + s + " s. " + place;
}

/** The queue event's fields as the viewer keeps them, or null once the wait is over. */
export function queueFromEvent(msg) {
  if (!msg.waiting) return null;
  if (msg.preparing) return { preparing: true };
  return { preparing: false, position: msg.position, length: msg.length, retryInSeconds: msg.retryInSeconds || 0 };
}
