/**
 * `npx tsx scripts/security-lake-ocsf-columns.ts`: derives the Parquet columns of logwarden's
 * Security Lake classes from the compiled OCSF schema (test/ocsf/schema/ocsf-1.1.0.schema.json)
 * and writes them to contracts/security-lake-ocsf-columns.json, which the writer reads
 * (contracts/security-lake-ocsf.ts; the contract test requires the file to equal a fresh
 * derivation).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { securityLakeClasses } from '../contracts/security-lake';
import { securityLakeOcsfColumns, type CompiledOcsfSchema } from '../contracts/security-lake-ocsf';

export const compiledOcsfSchemaPath = path.join(
  __dirname,
  '..',
  'test',
  'ocsf',
  'schema',
  'ocsf-1.1.0.schema.json',
);
export const securityLakeOcsfColumnsPath = path.join(
  __dirname,
  '..',
  'contracts',
  'security-lake-ocsf-columns.json',
);

export function deriveSecurityLakeOcsfColumns(): string {
  const schema = JSON.parse(readFileSync(compiledOcsfSchemaPath, 'utf8')) as CompiledOcsfSchema;
  const columns = securityLakeOcsfColumns(
    schema,
    securityLakeClasses.map((c) => c.classUid),
  );
  return `${JSON.stringify(columns)}\n`;
}

if (require.main === module) {
  writeFileSync(securityLakeOcsfColumnsPath, deriveSecurityLakeOcsfColumns());
  console.log(`wrote ${path.relative(process.cwd(), securityLakeOcsfColumnsPath)}`);
}
