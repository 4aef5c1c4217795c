import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { projectRoot } from '../../infra/constructs/handler-function.js';

/** The DR and safe-deployment rules (CloudFormation Guard), kept with the infrastructure. */
export const drRulesFile = join(projectRoot, 'infra', 'policy', 'dr-rules.guard');

/**
 * The `cfn-guard` binary that ships inside `@cdklabs/cdk-validator-cfnguard` (pinned in package.json; the
 * package bundles Guard 3.x for Linux and macOS, x86_64 and arm64), so `npm test` needs nothing installed.
 */
export function cfnGuardBinary(): string {
  const os = process.platform === 'darwin' ? 'macos' : 'ubuntu';
  const arch = process.arch === 'arm64' ? 'aarch64' : 'x86_64';
  const binary = join(
    projectRoot,
    'node_modules',
    '@cdklabs',
    'cdk-validator-cfnguard',
    'bin',
    os,
    arch,
    'cfn-guard',
  );
  if (!existsSync(binary)) throw new Error(`cfn-guard not found at ${binary}: run npm ci`);
  return binary;
}

/** What Guard said about one template. */
export interface GuardResult {
  /** The template's name as given (the file is `<name>.json`). */
  readonly name: string;
  readonly status: 'PASS' | 'FAIL' | 'SKIP';
  /** Rules the template breaks, each once. */
  readonly failed: readonly string[];
  /** Rules that applied and held. */
  readonly passed: readonly string[];
}

interface GuardReport {
  name: string;
  status: GuardResult['status'];
  not_compliant: { Rule?: { name: string } }[];
  compliant: string[];
}

/**
 * Writes the templates (by name) to a fresh temporary directory and runs `cfn-guard validate` on all of them
 * at once; returns Guard's verdict per template. Guard exits 19 when a rule fails; any other non-zero exit
 * (a rule file that does not parse, a template it cannot read) throws.
 */
export function runGuard(
  templates: Readonly<Record<string, unknown>>,
  rules: string = drRulesFile,
): Map<string, GuardResult> {
  const dir = mkdtempSync(join(tmpdir(), 'dsm-guard-'));
  try {
    for (const [name, template] of Object.entries(templates)) {
      writeFileSync(join(dir, `${name}.json`), JSON.stringify(template, null, 1));
    }
    const run = spawnSync(
      cfnGuardBinary(),
      ['validate', '--rules', rules, '--data', dir, '--output-format', 'json', '--show-summary', 'none'],
      { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 },
    );
    if (run.error) throw run.error;
    if (run.status !== 0 && run.status !== 19) {
      throw new Error(`cfn-guard exited ${String(run.status)}: ${run.stderr || run.stdout}`);
    }
    const results = new Map<string, GuardResult>();
    for (const report of parseConcatenatedJson(run.stdout) as GuardReport[]) {
      const name = report.name.slice(dir.length + 1).replace(/\.json$/, '');
      results.set(name, {
        name,
        status: report.status,
        failed: [...new Set(report.not_compliant.map((entry) => entry.Rule?.name ?? 'unknown'))].sort(),
        passed: [...report.compliant].sort(),
      });
    }
    return results;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Guard prints one JSON document per data file, one after the other. */
function parseConcatenatedJson(text: string): unknown[] {
  const documents: unknown[] = [];
  let depth = 0;
  let start = -1;
  let inString = false;
  let escaped = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (inString) {
      if (escaped) escaped = false;
      else if (char === '\\') escaped = true;
      else if (char === '"') inString = false;
      continue;
    }
    if (char === '"') inString = true;
    else if (char === '{') {
      if (depth === 0) start = i;
      depth++;
    } else if (char === '}') {
      depth--;
      if (depth === 0) documents.push(JSON.parse(text.slice(start, i + 1)));
    }
  }
  return documents;
}
