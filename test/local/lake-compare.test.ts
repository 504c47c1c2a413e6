/**
 * The end of `npm start` stops the run when the lake (Trino over the archive) and OpenSearch
 * answer the same question differently: the two comparisons it makes.
 */
import { stopsDisagreement, topSourcesDisagreement } from '../../local/scenario/lake';

const stop = (time: string, principal: string) => ({
  lake: { time_dt: time, principal, account: '444444444444', trail: 'logwarden' },
  search: {
    time_dt: time,
    actor: { user: { uid: principal } },
    cloud: { account: { uid: '444444444444' } },
    api: { request: { data: { name: 'logwarden' } } },
  },
});

describe('who stopped a trail: the lake against OpenSearch', () => {
  const a = stop('2026-12-06T20:00:00.000Z', 'arn:aws:iam::444444444444:user/mallory');
  const b = stop('2026-12-06T20:05:00.000Z', 'arn:aws:sts::444444444444:assumed-role/x/y');

  it('agree when they hold the same rows, in any order', () => {
    expect(stopsDisagreement([a.lake, b.lake], [b.search, a.search])).toBeUndefined();
  });

  it('disagree when OpenSearch has a StopLogging the lake lacks, or another principal', () => {
    expect(stopsDisagreement([a.lake], [a.search, b.search])).toMatch(/Trino \(1\).*OpenSearch \(2\)/);
    expect(
      stopsDisagreement([a.lake], [{ ...a.search, actor: { user: { uid: 'arn:aws:iam::1:user/x' } } }]),
    ).toBeDefined();
  });

  it('disagree when neither found one: the run stops a trail', () => {
    expect(stopsDisagreement([], [])).toBe('Trino found no StopLogging');
  });
});

describe('top rejected sources: the lake against OpenSearch', () => {
  const search = [
    { source: '10.0.0.9', flows: 7 },
    { source: '10.0.0.10', flows: 5 },
    { source: '10.0.0.2', flows: 5 },
    { source: '10.0.0.3', flows: 1 },
  ];

  it('agree when each address has OpenSearch’s count and the counts are its top counts, ties in any order', () => {
    const lake = [
      { source_ip: '10.0.0.9', flows: 7 },
      { source_ip: '10.0.0.2', flows: 5 },
    ];
    expect(topSourcesDisagreement(lake, search)).toBeUndefined();
  });

  it('disagree when a count differs', () => {
    expect(topSourcesDisagreement([{ source_ip: '10.0.0.9', flows: 6 }], search)).toBeDefined();
  });

  it('disagree when the lake misses a higher count', () => {
    expect(topSourcesDisagreement([{ source_ip: '10.0.0.10', flows: 5 }], search)).toBeDefined();
  });

  it('disagree when the lake found nothing', () => {
    expect(topSourcesDisagreement([], search)).toBe('Trino found no rejected flow');
  });
});
