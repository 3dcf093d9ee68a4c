import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import { loadConfigOrExit } from '@auditlog/config';
import { ExportWorkerModule } from './export-worker.module';

/** The export worker process: an application context without HTTP. */
async function main(): Promise<void> {
  const config = loadConfigOrExit('export-worker');
  const app = await NestFactory.createApplicationContext(ExportWorkerModule.forRoot(config), {
    bufferLogs: true,
  });
  app.useLogger(app.get(Logger));
  app.enableShutdownHooks();
  await app.init();
  app.get(Logger).log('export worker ready');
}

void main();
