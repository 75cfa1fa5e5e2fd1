/** An idle timer: fires once when nothing kicks it for a while (a stalled connection). */

/** Fires once when not kicked for `ms`. */
export class Watchdog {
  private timer: NodeJS.Timeout | undefined;
  fired = false;
  constructor(
    private readonly ms: number,
    private readonly onFire: () => void,
  ) {
    this.kick();
  }
  private stopped = false;
  kick(): void {
    if (this.fired || this.stopped) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.fired = true;
      this.onFire();
    }, this.ms);
  }
  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }
}
