import { depsFromEnv, makeHandler } from './handler';

/** The Lambda entry: settings and clients from the environment, once per cold start. */
export const handler = makeHandler(depsFromEnv(process.env));
