import { indexedAtTail, SOURCE_CLOSING_BYTES, type StoredEvent } from '@auditlog/events';

/**
 * One event to create: the stored document, or its JSON when the caller already has it.
 * The ingest path passes the JSON as UTF-8 bytes: while the write is in flight it then
 * keeps no document object and no string on the JavaScript heap, only bytes outside it
 * that the garbage collector never copies (docs/adr/0166-ingest-per-event-copies.md).
 */
export type EventWrite = { index: string; id: string } & (
  { document: StoredEvent; source?: undefined } | { source: string | Buffer; document?: undefined }
);

function actionLine(write: EventWrite): string {
  return `{"create":{"_index":${JSON.stringify(write.index)},"_id":${JSON.stringify(write.id)}}}\n`;
}

/**
 * The NDJSON body of a create-only `_bulk`, written straight into one Buffer: an action
 * line per write and the pre-serialised source with `ingest.indexed_at` written over its
 * closing braces, so no intermediate array of lines, no action object and no second copy
 * of any source exists while the call is in flight (docs/adr/0160-ingest-request-cost.md,
 * docs/adr/0166-ingest-per-event-copies.md).
 */
export function bulkBody(writes: readonly EventWrite[], indexedAt: string): Buffer {
  const tail = `${indexedAtTail(indexedAt)}\n`;
  const actions = writes.map(actionLine);
  const documents = new Map<number, string>();
  let bytes = 0;
  for (let i = 0; i < writes.length; i++) {
    const write = writes[i] as EventWrite;
    bytes += Buffer.byteLength(actions[i] as string, 'utf8');
    if (write.source === undefined) {
      const text = `${JSON.stringify({
        ...write.document,
        ingest: { ...write.document.ingest, indexed_at: indexedAt },
      })}\n`;
      documents.set(i, text);
      bytes += Buffer.byteLength(text, 'utf8');
    } else {
      bytes += Buffer.byteLength(write.source, 'utf8') - SOURCE_CLOSING_BYTES + tail.length;
    }
  }
  const body = Buffer.allocUnsafe(bytes);
  let offset = 0;
  for (let i = 0; i < writes.length; i++) {
    const write = writes[i] as EventWrite;
    offset += body.write(actions[i] as string, offset, 'utf8');
    if (write.source === undefined) {
      offset += body.write(documents.get(i) as string, offset, 'utf8');
    } else {
      offset +=
        (typeof write.source === 'string'
          ? body.write(write.source, offset, 'utf8')
          : write.source.copy(body, offset)) - SOURCE_CLOSING_BYTES;
      offset += body.write(tail, offset, 'latin1');
    }
  }
  return body;
}
