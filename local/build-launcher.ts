/** Builds the local OpenSearch launcher ahead of the tests (npm test runs this before jest). */
import { buildLauncher } from './opensearch';

buildLauncher();
console.log('local/opensearch launcher is built (target/classes, target/lib)');
