import type { INestApplication } from '@nestjs/common';
import { type AppName, loadConfig, type Env, type AppConfig } from '@auditlog/config';
import { createApp, type CreateAppOptions } from '@auditlog/platform';

interface RootModule {
  forRoot(config: AppConfig): unknown;
  /** HTTP options the app's main.ts passes to createApp; tests get the same. */
  httpOptions?: CreateAppOptions;
}

/** Boots an app with the production bootstrap, ready for supertest. */
export async function startApp(
  name: AppName,
  rootModule: RootModule,
  env: Env,
  options: CreateAppOptions = {},
): Promise<INestApplication> {
  const config = loadConfig(name, env);
  const app = await createApp(rootModule.forRoot(config), {
    ...rootModule.httpOptions,
    ...options,
  });
  await app.init();
  return app;
}
