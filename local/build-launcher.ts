/** Builds the local OpenSearch and Trino launchers ahead of the tests (npm test runs this before jest). */
import { buildLauncher } from './opensearch';
import { buildTrinoLauncher } from './trino';

buildLauncher();
console.log('local/opensearch launcher is built (target/classes, target/lib)');
buildTrinoLauncher();
console.log('local/trino launcher is built (target/classes, target/lib)');
