/**
 * Simulated time for a discrete-event run. Work that waits calls `sleep(ms)`; when nothing else
 * can progress (the microtask queue is empty), the clock jumps to the earliest wake-up and
 * resolves every sleeper due then. The step-function interpreter and the task models only ever
 * wait on promises, so a run of hours of simulated time takes as long as its bookkeeping.
 */
export class VirtualClock {
  /** Milliseconds since the start of the run. */
  now = 0;
  private readonly due: { at: number; seq: number; wake: () => void }[] = [];
  private seq = 0;

  sleep(ms: number): Promise<void> {
    if (!(ms > 0)) return Promise.resolve();
    return new Promise((wake) => this.push({ at: this.now + ms, seq: this.seq++, wake }));
  }

  /** Runs `work` to completion in simulated time and returns what it returns. */
  async run<T>(work: () => Promise<T>): Promise<T> {
    let settled = false;
    const result = work().finally(() => {
      settled = true;
    });
    result.catch(() => undefined);
    while (!settled) {
      // Everything that can run without time passing runs first.
      await new Promise<void>((resolve) => setImmediate(resolve));
      if (settled) break;
      const first = this.pop();
      if (!first) throw new Error('simulation stalled: work is pending but nothing is waiting on the clock');
      this.now = first.at;
      first.wake();
      while (this.due.length && this.due[0].at === this.now) this.pop()!.wake();
    }
    return result;
  }

  // A binary heap on (at, seq): equal times wake in the order they slept.
  private less(a: number, b: number) {
    const x = this.due[a];
    const y = this.due[b];
    return x.at < y.at || (x.at === y.at && x.seq < y.seq);
  }

  private push(item: { at: number; seq: number; wake: () => void }) {
    const h = this.due;
    h.push(item);
    for (let i = h.length - 1; i > 0;) {
      const parent = (i - 1) >> 1;
      if (!this.less(i, parent)) break;
      [h[i], h[parent]] = [h[parent], h[i]];
      i = parent;
    }
  }

  private pop() {
    const h = this.due;
    if (!h.length) return undefined;
    const top = h[0];
    const last = h.pop()!;
    if (h.length) {
      h[0] = last;
      for (let i = 0; ;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && this.less(l, m)) m = l;
        if (r < h.length && this.less(r, m)) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m], h[i]];
        i = m;
      }
    }
    return top;
  }
}
