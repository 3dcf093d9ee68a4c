import * as http from 'node:http';
import * as https from 'node:https';

export interface HttpResponse {
  status: number;
  body: string;
}

export function httpGet(url: string, timeoutMs: number): Promise<HttpResponse> {
  const client = url.startsWith('https:') ? https : http;
  return new Promise((resolve, reject) => {
    const request = client.get(new URL(url), (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
      response.on('error', reject);
    });
    request.setTimeout(timeoutMs, () => request.destroy(new Error(`GET ${url} timed out`)));
    request.on('error', reject);
  });
}

export async function httpGetJson<T>(url: string, timeoutMs: number): Promise<T> {
  const response = await httpGet(url, timeoutMs);
  if (response.status < 200 || response.status >= 300) {
    throw new Error(`GET ${url} answered HTTP ${response.status}: ${response.body.slice(0, 200)}`);
  }
  return JSON.parse(response.body) as T;
}
