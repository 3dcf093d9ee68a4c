import 'reflect-metadata';
import { loadConfigOrExit } from '@auditlog/config';
import { createApp, listen } from '@auditlog/platform';
import { QueryModule } from './query.module';

async function main(): Promise<void> {
  const config = loadConfigOrExit('query');
  const app = await createApp(QueryModule.forRoot(config), QueryModule.httpOptions);
  await listen(app, config);
}

void main();
