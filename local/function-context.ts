/**
 * Which logwarden function is running, for the local run's own instruments (the counting proxy):
 * the Task binding runs every handler inside `runAsFunction`, and AsyncLocalStorage carries the
 * name through the handler's promises down to the HTTP request the SDK makes. Production code
 * never reads it; on AWS each function is its own process.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

const running = new AsyncLocalStorage<string>();

export function runAsFunction<T>(name: string, fn: () => Promise<T>): Promise<T> {
  return running.run(name, fn);
}

/** The function whose code is running now, or undefined outside every handler. */
export function currentFunction(): string | undefined {
  return running.getStore();
}
