import { z } from 'zod';
import { decodeTrustedSources, TrustTable } from '../../contracts/trusted-sources';

/**
 * The environment field holding the trusted-source table (contracts/trusted-sources.ts), which
 * the stacks derive from the config. Required: a consumer without it would have to guess.
 */
export const envTrustedSources = () =>
  z.string({ error: 'is not set' }).transform((raw, ctx) => {
    try {
      return new TrustTable(decodeTrustedSources(raw));
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: (err as Error).message });
      return z.NEVER;
    }
  });
