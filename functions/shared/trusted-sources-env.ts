import { z } from 'zod';
import { decodeTrustedSources, TrustTable } from '../../contracts/trusted-sources';
import { parseFormatString } from './flow-log-formats';

/**
 * The environment field holding the trusted-source table (contracts/trusted-sources.ts), which
 * the stacks derive from the config. Required: a consumer without it would have to guess.
 */
export const envTrustedSources = () =>
  z.string({ error: 'is not set' }).transform((raw, ctx) => {
    try {
      const sources = decodeTrustedSources(raw);
      // A configured flow-log format with an unknown field is a deployment defect: say so now.
      for (const s of sources) if (s.format) parseFormatString(s.logGroup, s.format);
      return new TrustTable(sources);
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: (err as Error).message });
      return z.NEVER;
    }
  });
