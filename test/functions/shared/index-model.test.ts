import { INGESTION_WINDOW, filingDay } from '../../../functions/shared/ingestion-window';
import { indexFor, quarantinePrefix } from '../../../functions/shared/opensearch/index-model';
import { indexTemplate } from '../../../functions/shared/opensearch/index-model';

const arrived = Date.UTC(2026, 10, 29, 6, 0);
const day = 24 * 3600 * 1000;

describe('indices by event day inside the ingestion window, quarantine outside (issue 10 §2)', () => {
  it('an event inside the window goes to the index of its own day', () => {
    expect(indexFor({ time: arrived - 3 * day }, arrived)).toEqual({
      index: 'logwarden-ocsf-2026.11.26',
      quarantined: false,
    });
    expect(indexFor({ time: arrived - INGESTION_WINDOW.pastMs }, arrived).quarantined).toBe(false);
    expect(indexFor({ time: arrived + INGESTION_WINDOW.futureMs }, arrived).quarantined).toBe(false);
  });

  it('an event outside it, or with no usable time, goes to the quarantine index of its arrival day', () => {
    for (const time of [
      arrived - INGESTION_WINDOW.pastMs - 1,
      arrived + INGESTION_WINDOW.futureMs + 1,
      0,
      NaN,
    ]) {
      expect(indexFor({ time }, arrived)).toEqual({
        index: `${quarantinePrefix}2026.11.29`,
        quarantined: true,
      });
    }
  });

  it('the quarantine index takes the same template (and ISM retention) as the daily ones', () => {
    const pattern = new RegExp(`^${indexTemplate.index_patterns[0].replace('*', '.*')}$`);
    expect(`${quarantinePrefix}2026.11.29`).toMatch(pattern);
  });

  it('attack: 500 lines claiming 500 distinct days open at most 17 indices', () => {
    const indices = new Set<string>();
    for (let i = 0; i < 500; i++) indices.add(indexFor({ time: arrived - (i - 250) * day }, arrived).index);
    expect(indices.size).toBeLessThanOrEqual(17);
  });

  it('the archive date partition follows the same rule', () => {
    expect(filingDay(arrived - 2 * day, arrived)).toEqual({ day: '2026-11-27', clamped: false });
    expect(filingDay(Date.UTC(1999, 0, 1), arrived)).toEqual({ day: '2026-11-29', clamped: true });
  });
});
