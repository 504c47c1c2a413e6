/**
 * The client factory takes region and credentials from the function's environment: on Lambda
 * that is process.env; a host running several functions in one process gives each its own.
 */
import { STSClient } from '@aws-sdk/client-sts';
import {
  createClient,
  environmentCredentials,
  inFunctionEnvironment,
} from '../../../functions/shared/clients';

const roleA = {
  AWS_ACCESS_KEY_ID: 'ASIAROLEA',
  AWS_SECRET_ACCESS_KEY: 'secret-a',
  AWS_SESSION_TOKEN: 'token-a',
};
const roleB = {
  AWS_ACCESS_KEY_ID: 'ASIAROLEB',
  AWS_SECRET_ACCESS_KEY: 'secret-b',
  AWS_REGION: 'eu-central-1',
};

describe('functions/shared/clients: credentials and region from the function environment', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  it('outside any function environment, process.env is the environment (as on Lambda)', async () => {
    Object.assign(process.env, roleA, { AWS_REGION: 'eu-west-1' });
    expect(await environmentCredentials()()).toEqual({
      accessKeyId: 'ASIAROLEA',
      secretAccessKey: 'secret-a',
      sessionToken: 'token-a',
    });
    const client = createClient(STSClient);
    expect(await client.config.region()).toBe('eu-west-1');
    expect(await client.config.credentials()).toMatchObject({ accessKeyId: 'ASIAROLEA' });
  });

  it('each function environment signs with its own credentials, also in what it builds later', async () => {
    Object.assign(process.env, roleA, { AWS_REGION: 'eu-west-1' });
    const [inA, inB] = await Promise.all([
      inFunctionEnvironment({ ...process.env, ...roleA }, async () => {
        await new Promise((r) => setTimeout(r, 5));
        return createClient(STSClient);
      }),
      inFunctionEnvironment({ ...roleB }, async () => {
        await new Promise((r) => setTimeout(r, 1));
        return createClient(STSClient);
      }),
    ]);
    expect(await inA.config.credentials()).toMatchObject({
      accessKeyId: 'ASIAROLEA',
      sessionToken: 'token-a',
    });
    const b = await inB.config.credentials();
    expect(b).toMatchObject({ accessKeyId: 'ASIAROLEB', secretAccessKey: 'secret-b' });
    expect(b.sessionToken).toBeUndefined();
    expect(await inB.config.region()).toBe('eu-central-1');
  });

  it('an explicit region or credentials provider wins over the environment', async () => {
    const explicit = async () => ({ accessKeyId: 'AKIAEXPLICIT', secretAccessKey: 'x' });
    const client = inFunctionEnvironment({ ...roleB }, () =>
      createClient(STSClient, { region: 'us-east-1', credentials: explicit }),
    );
    expect(await client.config.region()).toBe('us-east-1');
    expect(await client.config.credentials()).toMatchObject({ accessKeyId: 'AKIAEXPLICIT' });
  });
});
