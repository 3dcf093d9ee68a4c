import { describeServices, ensureServices, type ServiceEndpoints, stopServices } from './index';

const USAGE = `usage: tsx scripts/services/cli.ts <command> [--nodes N] [--env]

commands:
  up       start (or reuse) local OpenSearch and Redis
  down     stop what up started (data is kept)
  status   show what runs where

--nodes N  with up: a local OpenSearch cluster of N nodes (2-9) instead of the single node;
           with down: stop only that cluster
--env      with up: print OPENSEARCH_URL=, OPENSEARCH_INDEX_REPLICAS=, REDIS_URL= and
           AUDITLOG_ISM_AVAILABLE= lines on stdout (progress then goes to stderr),
           e.g. eval "$(... up --env)"`;

interface Flags {
  env: boolean;
  nodes?: number;
}

/** undefined when the flags are not understood. */
function parseFlags(flags: string[]): Flags | undefined {
  const parsed: Flags = { env: false };
  for (let index = 0; index < flags.length; index++) {
    if (flags[index] === '--env') parsed.env = true;
    else if (flags[index] === '--nodes') {
      const nodes = Number(flags[++index]);
      if (!Number.isInteger(nodes) || nodes < 1 || nodes > 9) return undefined;
      parsed.nodes = nodes;
    } else return undefined;
  }
  return parsed;
}

function envLines(endpoints: ServiceEndpoints): string[] {
  return [
    `OPENSEARCH_URL=${endpoints.opensearchUrl}`,
    `OPENSEARCH_INDEX_REPLICAS=${endpoints.indexReplicas}`,
    `REDIS_URL=${endpoints.redisUrl}`,
    `AUDITLOG_ISM_AVAILABLE=${endpoints.ismAvailable}`,
  ];
}

async function main(argv: string[]): Promise<number> {
  const [command = '', ...rest] = argv;
  const flags = parseFlags(rest);
  if (
    !flags ||
    (flags.env && command !== 'up') ||
    (flags.nodes !== undefined && command === 'status')
  ) {
    console.error(USAGE);
    return 2;
  }
  const printEnv = flags.env;
  const log = (line: string): void => {
    (printEnv ? process.stderr : process.stdout).write(`${line}\n`);
  };

  switch (command) {
    case 'up': {
      const startedAt = Date.now();
      const endpoints = await ensureServices({ log, nodes: flags.nodes });
      log(`services: ready in ${((Date.now() - startedAt) / 1000).toFixed(1)}s`);
      if (printEnv) process.stdout.write(`${envLines(endpoints).join('\n')}\n`);
      return 0;
    }
    case 'down':
      await stopServices({ log, nodes: flags.nodes });
      return 0;
    case 'status':
      for (const line of await describeServices()) log(line);
      return 0;
    case '-h':
    case '--help':
      console.log(USAGE);
      return 0;
    default:
      console.error(USAGE);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    console.error(`services: error: ${message}`);
    if (process.env.AUDITLOG_DEBUG && error instanceof Error) console.error(error.stack);
    process.exit(1);
  },
);
