import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Client } from '@opensearch-project/opensearch';
import request from 'supertest';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { EXPORT_QUEUE } from '@auditlog/export-jobs';
import { eventDocumentId, IndexNames } from '@auditlog/opensearch';
import { waitFor } from '@auditlog/testing';

const ROOT = path.resolve(__dirname, '../..');

/**
 * The production build the worker runs from: the e2e global setup rebuilds dist/ before any
 * suite starts whenever a source is newer.
 */
export function ensureBuild(): Promise<string> {
  const worker = path.join(ROOT, 'dist/apps/export/src/worker/main.js');
  if (!fs.existsSync(worker)) {
    return Promise.reject(
      new Error(`${worker} is missing: run the suite through jest's global setup`),
    );
  }
  return Promise.resolve(ROOT);
}

/** Minimal stored events, written straight into the daily index with `_bulk` (fast). */
export async function bulkSeed(
  client: Client,
  prefix: string,
  companyId: string,
  count: number,
  newest: number,
  spacingMs: number,
): Promise<void> {
  const names = new IndexNames(prefix);
  const batch = 10_000;
  const send = async (start: number) => {
    const body: unknown[] = [];
    for (let index = start; index < Math.min(start + batch, count); index++) {
      const id = `k-${String(index).padStart(7, '0')}`;
      const timestamp = new Date(newest - index * spacingMs).toISOString();
      body.push(
        {
          create: {
            _index: names.eventsIndex('90d', timestamp),
            _id: eventDocumentId(companyId, id),
          },
        },
        {
          id,
          timestamp,
          received_at: timestamp,
          company_id: companyId,
          action: 'flow.executed',
          category: 'flow',
          actor: { id: `u-${index % 97}`, type: 'user' },
          outcome: 'success',
          schema_version: 1,
          hash: 'a'.repeat(64),
          ingest: { key_id: 'seed' },
        },
      );
    }
    const { body: result } = await client.bulk({ body: body as Record<string, unknown>[] });
    // 409: already there, from an attempt the client retried after a timeout (slow cluster).
    const failed = (result.items as Array<{ create?: { status: number } }>).find(
      (item) => item.create?.status !== 201 && item.create?.status !== 409,
    );
    if (failed) throw new Error(`seed failed: ${JSON.stringify(failed)}`);
  };
  const starts = Array.from({ length: Math.ceil(count / batch) }, (_, index) => index * batch);
  await Promise.all(
    [0, 1].map(async () => {
      for (let start = starts.shift(); start !== undefined; start = starts.shift())
        await send(start);
    }),
  );
  await client.indices.refresh({ index: `${prefix}-events-*` });
}

/** supertest parser keeping a response body as raw bytes (files of any format). */
export function binary(
  response: request.Response,
  callback: (error: Error | null, body: Buffer) => void,
): void {
  const chunks: Buffer[] = [];
  response.on('data', (chunk: Buffer) => chunks.push(chunk));
  response.on('end', () => callback(null, Buffer.concat(chunks)));
}

/**
 * Removes the suite's export queue (every BullMQ key under its prefix) and its per-company
 * export slots from Redis.
 */
export async function dropExportQueue(redisUrl: string, prefix: string): Promise<void> {
  const connection = new Redis(redisUrl, { maxRetriesPerRequest: 1, lazyConnect: true });
  const queue = new Queue(EXPORT_QUEUE, { connection, prefix });
  try {
    await queue.obliterate({ force: true });
    const slots = await connection.keys(`${prefix}:export-slots:*`);
    if (slots.length > 0) await connection.del(...slots);
  } finally {
    await queue.close();
    connection.disconnect();
  }
}

/** Polls `GET /v1/exports/{id}` until the job is `completed`; throws when it `failed`. */
export function exportCompleted(
  server: Parameters<typeof request>[0],
  id: string,
  token: string,
  timeoutMs = 60_000,
): Promise<Record<string, unknown>> {
  return waitFor(
    async () => {
      const { body } = await request(server)
        .get(`/v1/exports/${id}`)
        .set('authorization', `Bearer ${token}`);
      if (body.status === 'failed') throw new Error(`export failed: ${body.error}`);
      return body.status === 'completed' ? (body as Record<string, unknown>) : undefined;
    },
    { timeoutMs, intervalMs: 250 },
  );
}
