import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import { loadConfigOrExit } from '@auditlog/config';
import { MaintenanceModule } from './maintenance.module';

/** The maintenance worker process: an application context without a public HTTP port. */
async function main(): Promise<void> {
  const config = loadConfigOrExit('maintenance');
  const app = await NestFactory.createApplicationContext(MaintenanceModule.forRoot(config), {
    bufferLogs: true,
  });
  app.useLogger(app.get(Logger));
  app.enableShutdownHooks();
  await app.init();
  app.get(Logger).log('maintenance worker ready');
}

void main();
