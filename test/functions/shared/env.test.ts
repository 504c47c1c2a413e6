import { readdirSync, readFileSync, existsSync } from 'node:fs';
import * as path from 'node:path';
import {
  defineEnv,
  envAccountId,
  envBoolean,
  envRegionList,
  envText,
  envVarName,
  EnvError,
} from '../../../functions/shared/env';

const example = defineEnv({
  ledgerTable: envText(),
  acceptForeignFlowLogs: envBoolean(),
  governedRegions: envRegionList(),
  controlAccount: envAccountId(),
});

describe('typed function environments', () => {
  it('derives each variable name from its setting, once', () => {
    expect(envVarName('ledgerTable')).toBe('LEDGER_TABLE');
    expect(envVarName('healStarterRoleArn')).toBe('HEAL_STARTER_ROLE_ARN');
    expect(
      example.environment({
        ledgerTable: 't',
        acceptForeignFlowLogs: 'false',
        governedRegions: 'eu-west-1,eu-central-1',
        controlAccount: '333333333333',
      }),
    ).toEqual({
      LEDGER_TABLE: 't',
      ACCEPT_FOREIGN_FLOW_LOGS: 'false',
      GOVERNED_REGIONS: 'eu-west-1,eu-central-1',
      CONTROL_ACCOUNT: '333333333333',
    });
  });

  it('parses the environment into typed settings', () => {
    expect(
      example.parse({
        LEDGER_TABLE: 't',
        ACCEPT_FOREIGN_FLOW_LOGS: 'true',
        GOVERNED_REGIONS: 'eu-west-1,eu-central-1',
        CONTROL_ACCOUNT: '333333333333',
      }),
    ).toEqual({
      ledgerTable: 't',
      acceptForeignFlowLogs: true,
      governedRegions: ['eu-west-1', 'eu-central-1'],
      controlAccount: '333333333333',
    });
  });

  it('names every missing or malformed variable', () => {
    const parse = () =>
      example.parse({ ACCEPT_FOREIGN_FLOW_LOGS: 'yes', GOVERNED_REGIONS: 'Ireland', CONTROL_ACCOUNT: '12' });
    expect(parse).toThrow(EnvError);
    expect(parse).toThrow(/environment variable LEDGER_TABLE: is not set/);
    expect(parse).toThrow(/environment variable ACCEPT_FOREIGN_FLOW_LOGS: must be true or false/);
    expect(parse).toThrow(/environment variable GOVERNED_REGIONS: must be comma-separated AWS region names/);
    expect(parse).toThrow(/environment variable CONTROL_ACCOUNT: must be a 12-digit AWS account id/);
  });

  it('refuses a setting the function does not have', () => {
    expect(() => example.environment({ ledgerTable: 't', nope: 'x' } as never)).toThrow(
      /nope is not a setting of this function/,
    );
  });

  it('every function folder has its schema, a side-effect-free factory and a one-line entry', () => {
    const functionsDir = path.resolve(__dirname, '../../../functions');
    const folders = readdirSync(functionsDir).filter((f) => f !== 'shared');
    for (const folder of folders) {
      const dir = path.join(functionsDir, folder);
      expect([folder, existsSync(path.join(dir, 'env.ts'))]).toEqual([folder, true]);
      const handlerSource = readFileSync(path.join(dir, 'handler.ts'), 'utf8');
      expect(handlerSource).toMatch(/export function makeHandler\(/);
      expect(handlerSource).toMatch(/export function depsFromEnv\(/);
      // No handler reads process.env itself: settings come through depsFromEnv's argument.
      expect([folder, /process\.env/.test(handlerSource)]).toEqual([folder, false]);
      const entry = readFileSync(path.join(dir, 'index.ts'), 'utf8');
      expect(entry).toMatch(/export const handler = makeHandler\(depsFromEnv\(process\.env\)\);/);
    }
  });
});
