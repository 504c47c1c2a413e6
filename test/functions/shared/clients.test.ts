/**
 * The client factory takes region and credentials from the function's environment: on Lambda
 * that is process.env; a host running several functions in one process gives each its own.
 */
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { KinesisClient, ListStreamsCommand } from '@aws-sdk/client-kinesis';
import { STSClient } from '@aws-sdk/client-sts';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { SDK_CALL_MAX_MS } from '../../../contracts/function-runtime';
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

describe('every SDK client gives up on an endpoint that never answers (issue 21 §18)', () => {
  it.each([
    ['DynamoDB (the default HTTP/1.1 handler, configured by options)', false],
    ['Kinesis (http1: a handler of its own)', true],
  ])('%s: the call fails with a TimeoutError within SDK_CALL_MAX_MS', async (_name, http1) => {
    const sockets: Socket[] = [];
    const silent = createServer((socket) => sockets.push(socket.unref()));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    silent.unref();
    try {
      const endpoint = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
      const credentials = async () => ({ accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' });
      const started = Date.now();
      // The SDK reads AWS_ENDPOINT_URL itself, as it does on the local run.
      process.env.AWS_ENDPOINT_URL = endpoint;
      const call = http1
        ? createClient(KinesisClient, { region: 'eu-west-1', credentials, http1 }).send(
            new ListStreamsCommand({}),
          )
        : createClient(DynamoDBClient, { region: 'eu-west-1', credentials }).send(new ListTablesCommand({}));
      await expect(call).rejects.toMatchObject({ name: 'TimeoutError' });
      expect(Date.now() - started).toBeLessThan(SDK_CALL_MAX_MS);
    } finally {
      delete process.env.AWS_ENDPOINT_URL;
      sockets.forEach((s) => s.destroy());
      silent.close();
    }
  });
});
