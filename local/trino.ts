import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { NamedQuery } from '../contracts/lake';
import { lakeNames } from '../contracts/lake';

/**
 * Trino 476, the engine Athena engine version 3 runs, with its Hive connector on the stand-ins:
 * moto's Glue as the metastore and moto's S3 as the file system. Assembled from Maven Central
 * (local/trino/pom.xml: the engine and the connector, about 300 MB, not the 821 MB server
 * tarball) and run as one coordinator by local/trino/src/main/java/logwarden/LocalTrino.java.
 */

const root = path.resolve(__dirname, '..');
const project = path.join(root, 'local', 'trino');
const target = path.join(project, 'target');
const pom = path.join(project, 'pom.xml');
const launcherSource = path.join(project, 'src/main/java/logwarden/LocalTrino.java');

/** Trino 476's class files are Java 24; its documentation asks for Java 24 or later. */
const MIN_JAVA = 24;

function javaMajor(home: string): number {
  const release = path.join(home, 'release');
  if (!existsSync(release)) return 0;
  const version = /^JAVA_VERSION="(\d+)/m.exec(readFileSync(release, 'utf8'))?.[1];
  return version ? Number(version) : 0;
}

/**
 * A JDK for Trino: LOGWARDEN_TRINO_JAVA_HOME when set, else the newest JDK of 24 or later under
 * /usr/lib/jvm (this project's machines have Temurin 25 there).
 */
export function trinoJavaHome(): string {
  const chosen = process.env.LOGWARDEN_TRINO_JAVA_HOME;
  if (chosen) {
    if (javaMajor(chosen) < MIN_JAVA)
      throw new Error(`LOGWARDEN_TRINO_JAVA_HOME=${chosen} is not a JDK ${MIN_JAVA} or later`);
    return chosen;
  }
  const jvm = '/usr/lib/jvm';
  const found = (existsSync(jvm) ? readdirSync(jvm) : [])
    .map((d) => path.join(jvm, d))
    .map((home) => ({ home, major: javaMajor(home) }))
    .filter((j) => j.major >= MIN_JAVA)
    .sort((a, b) => b.major - a.major);
  if (!found.length)
    throw new Error(
      `Trino 476 needs Java ${MIN_JAVA} or later: none under ${jvm}; set LOGWARDEN_TRINO_JAVA_HOME`,
    );
  return found[0].home;
}

/**
 * Builds the launcher (Maven, `--strict-checksums`) when the pom or the launcher changed since
 * the last build.
 */
export function buildTrinoLauncher(): void {
  const stamp = path.join(target, '.pom.sha256');
  const want = createHash('sha256')
    .update(readFileSync(pom))
    .update(readFileSync(launcherSource))
    .digest('hex');
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === want) return;
  const javaHome = trinoJavaHome();
  execFileSync('mvn', ['-q', '-B', '--strict-checksums', '-f', pom, '-DskipTests', 'package'], {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, JAVA_HOME: javaHome },
  });
  writeFileSync(stamp, want);
}

export interface TrinoOptions {
  /** The stand-ins' endpoint: Glue and S3 are both served there. */
  endpoint: string;
  region: string;
  /**
   * Whom the catalog acts as. Long-term keys go into the catalog (`s3.aws-access-key`…); a
   * session (with `sessionToken`, which those properties cannot carry) is handed to the AWS SDK's
   * default credential chain as the `aws.accessKeyId`, `aws.secretAccessKey` and
   * `aws.sessionToken` system properties, which it reads first.
   */
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
}

export interface TrinoResult {
  columns: string[];
  rows: unknown[][];
}

export interface LocalTrino {
  url: string;
  query(sql: string): Promise<TrinoResult>;
  stop(): Promise<void>;
}

/** The engine, started without a catalog: `attachLake` adds the catalog `lake` once it is known. */
export interface TrinoEngine {
  url: string;
  attachLake(options: TrinoOptions): Promise<LocalTrino>;
  stop(): Promise<void>;
}

/**
 * The Hive connector's catalog: Glue for the metastore and S3 for the files, both at the
 * stand-ins' endpoint (Trino documentation, "Metastores": `hive.metastore.glue.endpoint-url`;
 * "S3 file system support": `s3.endpoint`, `s3.path-style-access`), partition projection read
 * from the Glue table's Athena properties (`hive.partition-projection-enabled`).
 */
export function lakeCatalogProperties(options: TrinoOptions): Record<string, string> {
  const { accessKeyId, secretAccessKey, sessionToken } = options.credentials;
  const keys: Record<string, string> = sessionToken
    ? {
        'aws.accessKeyId': accessKeyId,
        'aws.secretAccessKey': secretAccessKey,
        'aws.sessionToken': sessionToken,
      }
    : {
        'hive.metastore.glue.aws-access-key': accessKeyId,
        'hive.metastore.glue.aws-secret-key': secretAccessKey,
        's3.aws-access-key': accessKeyId,
        's3.aws-secret-key': secretAccessKey,
      };
  return {
    'hive.metastore': 'glue',
    'hive.metastore.glue.region': options.region,
    'hive.metastore.glue.endpoint-url': options.endpoint,
    'hive.partition-projection-enabled': 'true',
    // The optimizer's column statistics come from Glue's GetColumnStatisticsForPartition, which
    // the stand-in does not serve (and a projected partition has none in Glue): planning input
    // only, never a query's answer.
    'hive.table-statistics-enabled': 'false',
    'fs.native-s3.enabled': 'true',
    's3.endpoint': options.endpoint,
    's3.region': options.region,
    's3.path-style-access': 'true',
    ...keys,
  };
}

/** Java properties-file escaping of a value (`:` and `=` are safe in values; `\` is not). */
const propertyValue = (v: string) => v.replace(/\\/g, '\\\\');

/** How long the engine may take to start: about 25 s on an idle 2-core machine, far more on a busy one. */
const startLimitMs = 600_000;

/**
 * Starts the engine (the JVM and the coordinator: the slow part, about 25 s) with no catalog, so
 * it can start before the stand-ins hold the lake.
 */
export async function launchTrino(): Promise<TrinoEngine> {
  if (process.env.LOGWARDEN_LANE === 'unit') throw new Error('a unit test tried to start a stand-in process');
  buildTrinoLauncher();
  const home = path.join(root, '.local', `trino-${process.pid}-${Date.now()}`);
  mkdirSync(home, { recursive: true });
  const java = path.join(trinoJavaHome(), 'bin', 'java');
  const child = spawn(
    java,
    [
      '-Xmx1g',
      // Start-up is the cost here, not throughput: the client compiler only, a serial collector
      // (no collector threads competing on a 2-core machine), and the class-data archive of
      // the first run reused by every later one (JDK 19+ AutoCreateSharedArchive; rebuilt when
      // the class path changes).
      '-XX:TieredStopAtLevel=1',
      '-XX:+UseSerialGC',
      '-XX:+AutoCreateSharedArchive',
      `-XX:SharedArchiveFile=${path.join(target, 'trino-classes.jsa')}`,
      `-Djava.io.tmpdir=${home}`,
      '-cp',
      [path.join(target, 'classes'), path.join(target, 'lib', '*')].join(path.delimiter),
      'logwarden.LocalTrino',
    ],
    { stdio: ['pipe', 'pipe', 'pipe'], cwd: home },
  );
  let output = '';
  let catalogs = 0;
  let url: string | undefined;
  // The launcher's own lines: Trino's logging takes over System.out, so they arrive as log
  // lines (`… INFO main stdout LOCAL_TRINO_READY …`), on either stream.
  const partial = { stdout: '', stderr: '' };
  const onData = (stream: 'stdout' | 'stderr') => (d: Buffer) => {
    output = (output + String(d)).slice(-8000);
    const lines = (partial[stream] + String(d)).split('\n');
    partial[stream] = lines.pop()!;
    for (const line of lines) {
      if (/LOCAL_TRINO_CATALOG lake\s*$/.test(line)) catalogs += 1;
      url ??= /LOCAL_TRINO_READY (http:\/\/\S+)/.exec(line)?.[1];
    }
  };
  child.stdout.on('data', onData('stdout'));
  child.stderr.on('data', onData('stderr'));
  const stop = () =>
    new Promise<void>((resolve) => {
      const done = () => {
        rmSync(home, { recursive: true, force: true });
        resolve();
      };
      if (child.exitCode !== null || child.signalCode !== null) return done();
      child.once('exit', done);
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
    });
  const waitFor = async (what: string, ready: () => boolean) => {
    const deadline = Date.now() + startLimitMs;
    while (!ready()) {
      if (child.exitCode !== null) throw new Error(`Trino exited (${child.exitCode}): ${output}`);
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(`Trino: ${what} not done within ${startLimitMs / 1000} s: ${output}`);
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  };
  await waitFor('start', () => url !== undefined);
  const base = url!;
  return {
    url: base,
    stop,
    attachLake: async (options) => {
      const catalogFile = path.join(home, `lake-${catalogs}.properties`);
      writeFileSync(
        catalogFile,
        Object.entries(lakeCatalogProperties(options))
          .map(([k, v]) => `${k}=${propertyValue(v)}`)
          .join('\n') + '\n',
        { mode: 0o600 },
      );
      const before = catalogs;
      child.stdin.write(`${catalogFile}\n`);
      await waitFor('the catalog lake', () => catalogs > before);
      return { url: base, query: (sql) => runStatement(base, sql), stop };
    },
  };
}

/** The engine with the catalog `lake` on the stand-ins at `options.endpoint`. */
export async function startTrino(options: TrinoOptions): Promise<LocalTrino> {
  const engine = await launchTrino();
  try {
    return await engine.attachLake(options);
  } catch (err) {
    await engine.stop();
    throw err;
  }
}

interface StatementResponse {
  nextUri?: string;
  columns?: { name: string }[];
  data?: unknown[][];
  error?: { message: string; errorName?: string };
}

/**
 * Trino's client protocol (Trino documentation, "Client protocol"): POST /v1/statement, then
 * follow `nextUri` until there is none, gathering `data`; an `error` ends the query.
 */
async function runStatement(base: string, sql: string): Promise<TrinoResult> {
  const headers = {
    'X-Trino-User': lakeNames.readerRole,
    'X-Trino-Catalog': 'lake',
    'X-Trino-Schema': lakeNames.database,
  };
  let res = (await (
    await fetch(`${base}/v1/statement`, { method: 'POST', body: sql, headers })
  ).json()) as StatementResponse;
  const result: TrinoResult = { columns: [], rows: [] };
  for (;;) {
    if (res.error) throw new Error(`Trino: ${res.error.errorName ?? ''} ${res.error.message}\n${sql}`);
    if (res.columns && !result.columns.length) result.columns = res.columns.map((c) => c.name);
    if (res.data) result.rows.push(...res.data);
    if (!res.nextUri) return result;
    res = (await (await fetch(res.nextUri, { headers })).json()) as StatementResponse;
  }
}

const sqlString = (v: string) => `'${v.replace(/'/g, "''")}'`;

/**
 * A named query run as Athena runs it with execution parameters: its `?` bound in order
 * (Trino's `EXECUTE IMMEDIATE ... USING`, the statement Athena's parameterized queries map to).
 */
export async function runNamedQuery(
  trino: Pick<LocalTrino, 'query'>,
  query: NamedQuery,
  parameters: readonly string[],
): Promise<Record<string, unknown>[]> {
  if (parameters.length !== query.parameters.length)
    throw new Error(`${query.name} takes ${query.parameters.join(', ')}: got ${parameters.length} value(s)`);
  const { columns, rows } = await trino.query(
    `EXECUTE IMMEDIATE ${sqlString(query.sql)} USING ${parameters.map(sqlString).join(', ')}`,
  );
  return rows.map((r) => Object.fromEntries(columns.map((c, i) => [c, r[i]])));
}
