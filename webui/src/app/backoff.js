// Reconnect delays: 1 s, 2 s, 4 s, 8 s, 16 s, then every 30 s, each with ±20 % jitter so a
// gateway restart is not met by every viewer at the same instant. A connection that stayed up
// for a while resets the sequence.

export class Backoff {
  constructor({ firstMs = 1000, maxMs = 30000, jitter = 0.2, random = Math.random } = {}) {
    this.firstMs = firstMs;
    this.maxMs = maxMs;
    this.jitter = jitter;
    this.random = random;
    this.attempt = 0;
  }

  /** The delay before the next attempt, in ms; each call moves one step up. */
  next() {
    const base = Math.min(this.maxMs, this.firstMs * 2 ** Math.min(this.attempt, 20));
    this.attempt++;
    const spread = base * this.jitter * (this.random() * 2 - 1);
    return Math.max(0, Math.round(base + spread));
  }

  reset() {
    this.attempt = 0;
  }
}
