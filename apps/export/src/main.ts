import 'reflect-metadata';
import { loadConfigOrExit } from '@auditlog/config';
import { createApp, listen } from '@auditlog/platform';
import { ExportModule } from './export.module';

async function main(): Promise<void> {
  const config = loadConfigOrExit('export');
  const app = await createApp(ExportModule.forRoot(config), ExportModule.httpOptions);
  await listen(app, config);
}

void main();
