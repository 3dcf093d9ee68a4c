import { describeServices, ensureServices, type ServiceEndpoints, stopServices } from './index';

const USAGE = `usage: tsx scripts/services/cli.ts <command> [--env]

commands:
  up       start (or reuse) local OpenSearch and Redis
  down     stop what up started (data is kept)
  status   show what runs where

--env      with up: print OPENSEARCH_URL=, REDIS_URL= and AUDITLOG_ISM_AVAILABLE= lines
           on stdout (progress then goes to stderr), e.g. eval "$(... up --env)"`;

function envLines(endpoints: ServiceEndpoints): string[] {
  return [
    `OPENSEARCH_URL=${endpoints.opensearchUrl}`,
    `REDIS_URL=${endpoints.redisUrl}`,
    `AUDITLOG_ISM_AVAILABLE=${endpoints.ismAvailable}`,
  ];
}

async function main(argv: string[]): Promise<number> {
  const [command = '', ...flags] = argv;
  const unknownFlags = flags.filter((flag) => flag !== '--env');
  if (unknownFlags.length > 0 || (flags.includes('--env') && command !== 'up')) {
    console.error(USAGE);
    return 2;
  }
  const printEnv = flags.includes('--env');
  const log = (line: string): void => {
    (printEnv ? process.stderr : process.stdout).write(`${line}\n`);
  };

  switch (command) {
    case 'up': {
      const startedAt = Date.now();
      const endpoints = await ensureServices({ log });
      log(`services: ready in ${((Date.now() - startedAt) / 1000).toFixed(1)}s`);
      if (printEnv) process.stdout.write(`${envLines(endpoints).join('\n')}\n`);
      return 0;
    }
    case 'down':
      await stopServices({ log });
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
