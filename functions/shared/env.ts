import { z } from 'zod';

/**
 * Typed function environments. Each function declares its settings once, as a zod shape with
 * camelCase keys; the variable's name is derived from the key (`ledgerTable` → `LEDGER_TABLE`),
 * so no name is ever written twice. The stack builds the environment with `environment(values)`,
 * typed by the shape (a missing or misspelt setting fails to compile); the handler parses
 * `process.env` once with `parse(env)`, and a missing or malformed variable is named in the error.
 */

/** A field read from one environment variable: its input is the variable's text. */
export type EnvField = z.ZodType<unknown, string | undefined>;

export const envVarName = (key: string): string => key.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase();

/** A function's environment is wrong: a deployment defect, reported with the variable's name. */
export class EnvError extends Error {
  override readonly name = 'EnvError';
}

export interface FunctionEnv<S extends Record<string, EnvField>> {
  readonly shape: S;
  /** The variables a stack gives the function; undefined optional values are left out. */
  environment(values: z.input<z.ZodObject<S>>): Record<string, string>;
  /** The settings, parsed once from the process environment (or any name → value record). */
  parse(env: Readonly<Record<string, string | undefined>>): z.output<z.ZodObject<S>>;
}

/** The variable that carries one setting of a function, for code that overrides a single value. */
export function variableOf<S extends Record<string, EnvField>>(
  env: FunctionEnv<S>,
  key: keyof S & string,
): string {
  if (!(key in env.shape)) throw new EnvError(`${key} is not a setting of this function`);
  return envVarName(key);
}

export type EnvOf<E> = E extends FunctionEnv<infer S> ? z.output<z.ZodObject<S>> : never;

export function defineEnv<S extends Record<string, EnvField>>(shape: S): FunctionEnv<S> {
  const schema = z.object(shape);
  return {
    shape,
    environment(values) {
      const out: Record<string, string> = {};
      for (const [key, value] of Object.entries(values as Record<string, string | undefined>)) {
        if (!(key in shape)) throw new EnvError(`${key} is not a setting of this function`);
        if (value !== undefined) out[envVarName(key)] = value;
      }
      return out;
    },
    parse(env) {
      const raw = Object.fromEntries(Object.keys(shape).map((key) => [key, env[envVarName(key)]]));
      const result = schema.safeParse(raw);
      if (result.success) return result.data;
      const problems = result.error.issues.map(
        (issue) => `environment variable ${envVarName(String(issue.path[0]))}: ${issue.message}`,
      );
      throw new EnvError(problems.join('; '));
    },
  };
}

/** Text that must be present. */
export const envText = () => z.string({ error: 'is not set' }).min(1, 'is not set');
/** Text that may be absent (an empty value counts as absent). */
export const envOptionalText = () =>
  z
    .string()
    .optional()
    .transform((v) => (v ? v : undefined));
export const envAccountId = () => envText().regex(/^\d{12}$/, 'must be a 12-digit AWS account id');
export const envRegion = () =>
  envText().regex(/^[a-z]{2}(-gov)?-[a-z]+-\d$/, 'must be an AWS region name such as eu-west-1');
/** A whole number written in decimal. */
export const envWholeNumber = () =>
  envText()
    .regex(/^\d+$/, 'must be a whole number')
    .transform((v) => Number(v));
export const envBoolean = () =>
  envText()
    .refine((v) => v === 'true' || v === 'false', 'must be true or false')
    .transform((v) => v === 'true');
/** A comma-separated list of region names. */
export const envRegionList = () =>
  envText()
    .refine(
      (v) => v.split(',').every((r) => /^[a-z]{2}(-gov)?-[a-z]+-\d$/.test(r)),
      'must be comma-separated AWS region names',
    )
    .transform((v) => v.split(','));

/** What the Lambda runtime itself sets; no stack declares it. */
export const lambdaRuntimeEnv = defineEnv({ awsRegion: envRegion() });

/** What every logwarden function gets from its construct: Powertools' service name and metrics namespace. */
export const powertoolsEnv = defineEnv({
  powertoolsServiceName: envText(),
  powertoolsMetricsNamespace: envText(),
});
