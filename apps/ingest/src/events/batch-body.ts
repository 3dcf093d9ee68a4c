import { ProblemException } from '@auditlog/problem';
import type { BatchInput } from './ingest.service';
import { parseJson, type RequestBody } from './request-body';

/**
 * The items of a batch body: a JSON array, `{"events": [...]}`, or NDJSON (one event per
 * line; blank lines are skipped; a line that is not JSON is a rejected item, not a
 * failed request).
 */
export function batchItems(body: RequestBody): BatchInput[] {
  if (body.format === 'ndjson') {
    return body.text
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line, index): BatchInput => {
        try {
          return { value: JSON.parse(line) as unknown };
        } catch (error) {
          return { unreadable: `line ${index + 1} is not valid JSON: ${(error as Error).message}` };
        }
      });
  }
  const parsed = parseJson(body.text);
  const events = Array.isArray(parsed) ? parsed : envelopeEvents(parsed);
  return events.map((value: unknown) => ({ value }));
}

function envelopeEvents(parsed: unknown): unknown[] {
  if (typeof parsed !== 'object' || parsed === null) {
    throw ProblemException.badRequest('A batch is a JSON array or {"events": [...]}.', [
      { path: '', message: 'the body must be an array of events or an object with "events"' },
    ]);
  }
  const unknownFields = Object.keys(parsed).filter((name) => name !== 'events');
  const events = (parsed as { events?: unknown }).events;
  if (unknownFields.length > 0 || !Array.isArray(events)) {
    throw ProblemException.badRequest('A batch is a JSON array or {"events": [...]}.', [
      ...unknownFields.map((name) => ({ path: name, message: `unknown field "${name}"` })),
      ...(Array.isArray(events) ? [] : [{ path: 'events', message: 'events must be an array' }]),
    ]);
  }
  return events;
}
