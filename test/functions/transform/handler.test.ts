import { KinesisClient, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { mockClient } from 'aws-sdk-client-mock';
import { transformEnv } from '../../../functions/transform/env';
import { depsFromEnv, makeHandler } from '../../../functions/transform/handler';
import { realFirehoseEvent } from '../../../local/corpus';

const kinesisMock = mockClient(KinesisClient);

describe('transform handler', () => {
  it('answers the real Firehose event through the shared core, with metrics written', async () => {
    const write = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const handler = makeHandler(
      depsFromEnv({
        AWS_REGION: 'eu-west-1',
        POWERTOOLS_METRICS_NAMESPACE: 'logwarden',
        ...transformEnv.environment({ maxReingestHops: '5', trustedSources: '[]' }),
      }),
    );
    const event = realFirehoseEvent();
    const { records } = await handler(event);
    const out = write.mock.calls.map((c) => String(c[0])).join('');
    write.mockRestore();
    expect(records.map((r) => [r.recordId, r.result])).toEqual(
      event.records.map((r, i) => [r.recordId, i === 0 ? 'Dropped' : 'Ok']),
    );
    expect(kinesisMock).not.toHaveReceivedCommand(PutRecordsCommand);
    expect(out).toContain('RecordsOk');
    expect(out).toContain('transformed batch');
    expect(out).toContain('FailedRecords');
    expect(out).toContain('InvalidUtf8Lines');
  });
});
