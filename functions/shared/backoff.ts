/** Full-jitter exponential backoff: a random delay up to base × 2^attempt, capped. */
export function backoffDelayMs(attempt: number, baseMs = 100, capMs = 5000, random = Math.random): number {
  return Math.floor(random() * Math.min(capMs, baseMs * 2 ** attempt));
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
