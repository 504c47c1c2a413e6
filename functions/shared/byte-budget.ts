/**
 * A budget of bytes shared by the records of one batch that a consumer handles at the same time
 * (Powertools' BatchProcessor runs a batch's records in parallel). Each record reserves the size
 * its payload declares before it is decoded (`declaredSize`) and gives it back when it is done;
 * a record that does not fit waits, in arrival order, for earlier ones to finish. So a batch of
 * large payloads is read a few at a time instead of all at once, and the first record always
 * runs: a reservation is never larger than the whole budget.
 */
export class ByteBudget {
  private available: number;
  private readonly waiting: { bytes: number; start: () => void }[] = [];

  constructor(readonly capacity: number) {
    this.available = capacity;
  }

  /** Waits until `bytes` (at most the capacity) are free, takes them, and returns their release. */
  async reserve(bytes: number): Promise<() => void> {
    const need = Math.min(Math.max(bytes, 0), this.capacity);
    if (this.waiting.length || need > this.available) {
      await new Promise<void>((start) => this.waiting.push({ bytes: need, start }));
    } else this.available -= need;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.available += need;
      this.admit();
    };
  }

  /** Starts waiting reservations in order, as far as the free bytes go. */
  private admit(): void {
    while (this.waiting.length && this.waiting[0].bytes <= this.available) {
      const next = this.waiting.shift()!;
      this.available -= next.bytes;
      next.start();
    }
  }

  /** Runs `work` holding `bytes` of the budget. */
  async with<T>(bytes: number, work: () => Promise<T>): Promise<T> {
    const release = await this.reserve(bytes);
    try {
      return await work();
    } finally {
      release();
    }
  }
}
