/**
 * Faults AWS has, injected by a loopback proxy in front of moto: 30 % throttling in every
 * service's own error format, then one region unreachable. The synthesized workflow, with its
 * retries and catches, runs the real handlers through it.
 */
import { ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { startChaosProxy, type ChaosProxy } from '../../local/chaos-proxy';
import { startMoto, type Moto } from '../../local/moto';
import { e2eConfig as config, ledgerStatuses, member, memberFlowLogs } from '../../local/emulated-org';
import { existingAccount } from '../../local/scenario/onboard';
import { emulateOrganization, type Organization } from '../../local/scenario/organization';

let moto: Moto;
let proxy: ChaosProxy;
let org: Organization;
const cover = async (region: string, name: string) =>
  (await org.plane.start('cover-account-region', name, { account: member, region })).run!;

// Every client, the handlers' included, goes through the proxy; each test sets its faults.
beforeAll(async () => {
  moto = await startMoto();
  proxy = await startChaosProxy(moto.endpoint, { throttleRate: 0 });
  org = await emulateOrganization(proxy.endpoint, { members: [member] });
  await existingAccount(org, member);
}, 300_000);

afterEach(() => {
  proxy.options.throttleRate = 0;
  proxy.options.unreachableRegion = undefined;
});

afterAll(async () => {
  await proxy?.stop();
  await moto?.stop();
});

describe('resilience (chaos proxy in front of moto)', () => {
  it('30 % throttling: every execution still succeeds and covers; the retries are counted', async () => {
    let seed = 42;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31; // reproducible
    Object.assign(proxy.options, { throttleRate: 0.3, random });
    const before = { ...proxy.stats.throttled };
    let workflowRetries = 0;
    for (const region of config.governedRegions) {
      const run = await cover(region, `throttled-${region}`);
      workflowRetries += run.retries;
    }
    proxy.options.throttleRate = 0;
    const statuses = await ledgerStatuses();
    for (const region of config.governedRegions) {
      expect(statuses[`${region}#flow-logs`]).toMatch(/^(covered|healed)$/);
      expect(statuses[`${region}#trail`]).toMatch(/^(covered|healed)$/);
      expect((await memberFlowLogs(region)).covered).toHaveLength(2);
    }
    const injected = Object.entries(proxy.stats.throttled).reduce(
      (sum, [code, n]) => sum + n - (before[code] ?? 0),
      0,
    );
    expect(injected).toBeGreaterThan(5);
    // Reported: throttles absorbed by SDK retries, and Task retries by the workflow.
    console.log(
      `throttling: ${injected} throttled answers ${JSON.stringify(proxy.stats.throttled)}, ${proxy.stats.forwarded} forwarded, ${workflowRetries} workflow Task retries`,
    );
  }, 300_000);

  it('one region unreachable: the other is covered; the failure is in the ledger and the summary', async () => {
    proxy.options.unreachableRegion = 'eu-central-1';
    for (const region of config.governedRegions) await cover(region, `partition-${region}`);
    proxy.options.unreachableRegion = undefined;
    const statuses = await ledgerStatuses();
    expect(statuses['eu-west-1#flow-logs']).toMatch(/^(covered|healed)$/);
    expect(statuses['eu-central-1#flow-logs']).toBe('failed');
    expect(proxy.stats.refused).toBeGreaterThan(0);
    const sqs = new SQSClient({});
    const bodies: string[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl: org.summaryQueueUrl, MaxNumberOfMessages: 10 }),
      );
      if (!res.Messages?.length) break;
      bodies.push(...res.Messages.map((m) => m.Body ?? ''));
    }
    const summary = bodies.find((b) => b.includes('eu-central-1 flow-logs'));
    expect(summary).toBeDefined();
    expect(summary).toContain('Re-run one account and region with: logwarden remediate');
  }, 300_000);
});
