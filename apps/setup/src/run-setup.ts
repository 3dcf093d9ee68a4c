import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import type { AppConfig } from '@auditlog/config';
import { IndexPreCreator } from '@auditlog/retention';
import { SetupModule } from './setup.module';

/**
 * Runs the idempotent storage setup once (index template, company settings index, ISM
 * policies, the current and coming period's events indices) and answers the process exit status: 0 when storage is ready, 1 otherwise.
 */
export async function runSetup(config: AppConfig): Promise<number> {
  let app: Awaited<ReturnType<typeof NestFactory.createApplicationContext>> | undefined;
  try {
    app = await NestFactory.createApplicationContext(SetupModule.forRoot(config), {
      bufferLogs: true,
      abortOnError: false,
    });
    app.useLogger(app.get(Logger));
    await app.init();
    // After the template is in place: the coming period's indices are made from it.
    await app.get(IndexPreCreator).ensure();
    app.get(Logger).log('storage setup complete');
    return 0;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (app) app.get(Logger).error(`storage setup failed: ${message}`);
    else process.stderr.write(`storage setup failed: ${message}\n`);
    return 1;
  } finally {
    await app?.close();
  }
}
