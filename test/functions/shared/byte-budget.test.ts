import { ByteBudget } from '../../../functions/shared/byte-budget';

const tick = () => new Promise((r) => setImmediate(r));

describe('ByteBudget (issue 21 §14)', () => {
  it('holds no more than its capacity at once, admits in arrival order, and always runs a first record', async () => {
    const budget = new ByteBudget(100);
    let held = 0;
    let peak = 0;
    const order: number[] = [];
    const finish: (() => void)[] = [];
    const runs = [60, 60, 30, 500, 10].map((bytes, i) =>
      budget.with(bytes, async () => {
        held += Math.min(bytes, 100);
        peak = Math.max(peak, held);
        order.push(i);
        await new Promise<void>((r) => finish.push(r));
        held -= Math.min(bytes, 100);
      }),
    );
    await tick();
    // 60 runs; the next 60 does not fit, and nothing behind it jumps the queue.
    expect(order).toEqual([0]);
    finish.shift()!();
    await tick();
    expect(order).toEqual([0, 1, 2]);
    finish.shift()!();
    finish.shift()!();
    await tick();
    // 500 asks for more than the whole budget: it gets all of it, alone.
    expect(order).toEqual([0, 1, 2, 3]);
    finish.shift()!();
    await tick();
    expect(order).toEqual([0, 1, 2, 3, 4]);
    finish.shift()!();
    await Promise.all(runs);
    expect(peak).toBeLessThanOrEqual(100);
  });

  it('gives the bytes back when the work throws', async () => {
    const budget = new ByteBudget(10);
    await expect(budget.with(10, async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(budget.with(10, async () => 'ran')).resolves.toBe('ran');
  });
});
