/**
 * `npm run docs:dashboards`: writes the shipped Dashboards saved objects
 * (functions/shared/opensearch/dashboards.ts) as an export file, docs/dashboards/logwarden.ndjson,
 * that Dashboards' import (Stack Management → Saved objects → Import, or
 * `POST _dashboards/api/saved_objects/_import`) takes as it is.
 */
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { savedObjectsNdjson } from '../functions/shared/opensearch/dashboards';

export const dashboardsNdjsonPath = path.join(__dirname, '..', 'docs', 'dashboards', 'logwarden.ndjson');

if (require.main === module) {
  writeFileSync(dashboardsNdjsonPath, savedObjectsNdjson());
  console.log(`wrote ${path.relative(process.cwd(), dashboardsNdjsonPath)}`);
}
