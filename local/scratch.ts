/**
 * What a scripted session (`openapi:prism`, `openapi:specmatic`, `cors:browser`) starts for itself and stops
 * afterwards: `npm start -- --empty` on a free port with its state in a temporary directory (so it never
 * touches a gateway someone else runs), and any helper processes, each stopped by its own id.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { freePort } from './dynamodb-local.js';
import { repoRoot } from './paths.js';

export class Scratch {
  private readonly started: ChildProcess[] = [];
  private readonly temporary: string[] = [];

  /** A temporary directory, removed by `stop`. */
  async directory(prefix: string): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), prefix));
    this.temporary.push(dir);
    return dir;
  }

  /** Stopped by `stop`; one started `detached` is stopped with its whole process group (npx's children). */
  track(child: ChildProcess): ChildProcess {
    this.started.push(child);
    return child;
  }

  /**
   * `npm start -- --empty --quiet` on a free port, its state (signing keys included) in `stateDir`;
   * `args` go to `npm start` too (such as `-c key=value`), and `onLine` gets each line it prints (one per
   * request). Resolves to its URL once `/health` is 200.
   */
  async startGateway(
    stateDir: string,
    args: readonly string[] = [],
    onLine: (line: string) => void = () => undefined,
  ): Promise<string> {
    const port = await freePort();
    const child = this.track(
      spawn(process.execPath, ['--import', 'tsx', join(repoRoot, 'local/start.ts'), '--empty', ...args], {
        cwd: repoRoot,
        env: { ...process.env, PORT: String(port), DSM_LOCAL_DIR: stateDir, POWERTOOLS_LOG_LEVEL: 'SILENT' },
        stdio: ['ignore', 'pipe', 'inherit'],
      }),
    );
    await new Promise<void>((resolve, reject) => {
      const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
      lines.on('line', (line) => {
        onLine(line);
        if (line.includes('listening on')) resolve();
        if (line.startsWith('Could not start')) reject(new Error(line));
      });
      child.once('exit', (code) => reject(new Error(`npm start exited with ${code}`)));
    });
    const url = `http://127.0.0.1:${port}`;
    await waitFor(async () => (await fetch(new URL('/health', url)).catch(() => undefined))?.status === 200);
    process.stdout.write(`npm start (empty, state in ${stateDir}) listening on ${url}\n`);
    return url;
  }

  /** Stops what was started, newest first, by process id, and removes the temporary directories. */
  async stop(): Promise<void> {
    for (const child of this.started.reverse()) {
      if (child.exitCode !== null || !child.pid) continue;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      try {
        process.kill(child.spawnargs[0] === 'npx' ? -child.pid : child.pid, 'SIGTERM');
      } catch {
        continue;
      }
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 15_000))]);
    }
    for (const dir of this.temporary) await rm(dir, { recursive: true, force: true });
  }
}

export async function waitFor(check: () => Promise<boolean>, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}
