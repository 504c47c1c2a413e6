/**
 * The Security Lake classes' Parquet columns (contracts/security-lake-ocsf-columns.json, which the
 * writer reads) are the compiled OCSF 1.1.0 schema's, derived again here: the file may not drift
 * from the schema or from contracts/security-lake.ts.
 */
import { readFileSync } from 'node:fs';
import { securityLakeClasses } from '../../contracts/security-lake';
import { securityLakeStructDepth, type SecurityLakeOcsfColumns } from '../../contracts/security-lake-ocsf';
import {
  deriveSecurityLakeOcsfColumns,
  securityLakeOcsfColumnsPath,
} from '../../scripts/security-lake-ocsf-columns';

describe('contracts/security-lake-ocsf-columns.json', () => {
  const onDisk = readFileSync(securityLakeOcsfColumnsPath, 'utf8');

  it('is the derivation of the compiled OCSF schema (npx tsx scripts/security-lake-ocsf-columns.ts writes it)', () => {
    expect(JSON.parse(onDisk)).toEqual(JSON.parse(deriveSecurityLakeOcsfColumns()));
  });

  it('has every class Security Lake takes from logwarden, of OCSF 1.1.0, at the stated depth', () => {
    const columns = JSON.parse(onDisk) as SecurityLakeOcsfColumns;
    expect(columns.ocsfVersion).toBe('1.1.0');
    expect(columns.structDepth).toBe(securityLakeStructDepth);
    expect(Object.keys(columns.classes).sort()).toEqual(
      securityLakeClasses.map((c) => String(c.classUid)).sort(),
    );
    for (const cols of Object.values(columns.classes)) {
      // raw_data and unmapped are OCSF attributes of every class: raw_data a string, unmapped JSON text.
      expect(cols.find((c) => c.name === 'raw_data')).toEqual({
        name: 'raw_data',
        ocsf: 'string_t',
        parquet: 'STRING',
      });
      expect(cols.find((c) => c.name === 'unmapped')).toEqual({
        name: 'unmapped',
        ocsf: 'object:object',
        parquet: 'JSON',
      });
      expect(cols.find((c) => c.name === 'time')).toEqual({
        name: 'time',
        ocsf: 'timestamp_t',
        parquet: 'INT64',
      });
    }
  });
});
