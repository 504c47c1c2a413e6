import { KinesisClient, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { mockClient } from 'aws-sdk-client-mock';
import { realFirehoseEvent } from '../../../local/corpus';

const kinesisMock = mockClient(KinesisClient);

describe('transform handler', () => {
  beforeAll(() => {
    process.env.AWS_REGION = 'eu-west-1';
    process.env.POWERTOOLS_METRICS_NAMESPACE = 'logwarden';
  });

  it('answers the real Firehose event through the shared core, with metrics written', async () => {
    const write = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const { handler } = await import('../../../functions/transform/index');
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
  });
});
