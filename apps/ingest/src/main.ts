import 'reflect-metadata';
import { loadConfigOrExit } from '@auditlog/config';
import { createApp, listen } from '@auditlog/platform';
import { IngestModule } from './ingest.module';

async function main(): Promise<void> {
  const config = loadConfigOrExit('ingest');
  const app = await createApp(IngestModule.forRoot(config), IngestModule.httpOptions);
  await listen(app, config);
}

void main();
