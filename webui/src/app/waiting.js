// What the page says while its connection waits before the desktop shows, from the gateway's
// queue events (events.js): the provider still preparing the target (a desktop started on
// demand), or the viewer's place in the line of viewers the gateway lets in a few at a time.
// Plain data in and out, so it is tested without a browser. The words are the catalogue's (i18n.js).
import { t } from "./i18n.js";

/**
 * @param q {preparing, position, length, retryInSeconds, at} as the viewer holds it
 * @param target the target's id, e.g. "desktop/alice"
 * @param nowMs the current time (Date.now()), for the countdown
 * @returns {status, title, detail, next}
 */
export function waitingText(q, target, nowMs) {
  if (q.preparing) {
    return {
      status: t("wait.starting"),
      title: t("wait.starting.title"),
      detail: t("wait.starting.detail", { target }),
      next: t("wait.keepOpen"),
    };
  }
  return {
    status: t("wait.queue"),
    title: t("wait.queue.title", { target }),
    detail: queueText(q, nowMs),
    next: t("wait.queue.next"),
  };
}

/** "Position 3 of 12", or while the desktop refuses the gateway, when it is tried again. */
export function queueText(q, nowMs) {
  const place = t("wait.position", { position: q.position, length: q.length });
  if (!(q.retryInSeconds > 0)) return place;
  const s = Math.max(0, Math.ceil(q.retryInSeconds - (nowMs - q.at) / 1000));
  return t("wait.refusing", { s, place });
}

/** The queue event's fields as the viewer keeps them, or null once the wait is over. */
export function queueFromEvent(msg) {
  if (!msg.waiting) return null;
  if (msg.preparing) return { preparing: true };
  return { preparing: false, position: msg.position, length: msg.length, retryInSeconds: msg.retryInSeconds || 0 };
}
