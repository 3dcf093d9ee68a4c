import { isIP, connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import type { AuditEvent } from '@auditlog/events';
import type { DeliveryResult, Destination, SyslogDestination } from './destination';
import { excerpt } from './http-client';
import { checkLiteralHost } from './literal-address';
import type { ResolvedOptions } from './resolved-options';
import {
  cefMessage,
  octetCountedFrame,
  rfc5424Message,
  SYSLOG_DEFAULT_APP_NAME,
  SYSLOG_DEFAULT_FACILITY,
  type SyslogHeaderOptions,
} from './syslog-format';

export function syslogFrames(
  events: readonly AuditEvent[],
  config: SyslogDestination,
  options: { hostname: string; productVersion: string },
): Buffer {
  const header: SyslogHeaderOptions = {
    facility: config.facility ?? SYSLOG_DEFAULT_FACILITY,
    hostname: options.hostname,
    appName: config.app_name ?? SYSLOG_DEFAULT_APP_NAME,
  };
  const format = config.format ?? 'rfc5424';
  const cef = { ...header, productVersion: options.productVersion };
  const frames = events.map((event) =>
    octetCountedFrame(format === 'cef' ? cefMessage(event, cef) : rfc5424Message(event, header)),
  );
  return Buffer.from(frames.join(''), 'utf8');
}

/**
 * Syslog over TCP (or TLS) on one connection kept across batches and opened again after
 * any error. TCP syslog has no application-level acknowledgment: a batch counts as
 * delivered once every byte was handed to the kernel without error (the write callback),
 * so at least once holds up to what the receiver itself buffers (ADR 0121). A connection
 * the peer closed is noticed (its end is read) and replaced before the next batch.
 */
export class SyslogSender implements Destination {
  private socket: Socket | undefined;

  constructor(
    private readonly config: SyslogDestination,
    private readonly options: ResolvedOptions,
  ) {}

  async deliver(events: readonly AuditEvent[]): Promise<DeliveryResult> {
    if (events.length === 0) return { kind: 'delivered' };
    const frames = syslogFrames(events, this.config, this.options);
    const deadline = Date.now() + this.options.timeoutMs;
    try {
      const socket = this.socket ?? (await this.open(deadline));
      await this.write(socket, frames, deadline);
      return { kind: 'delivered' };
    } catch (error) {
      this.drop();
      return {
        kind: 'retry',
        error: excerpt(`syslog ${this.config.host}:${this.config.port}: ${message(error)}`),
      };
    }
  }

  close(): Promise<void> {
    const socket = this.socket;
    this.socket = undefined;
    if (!socket || socket.destroyed) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => socket.destroy(), this.options.timeoutMs);
      socket.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
      socket.end();
    });
  }

  private async open(deadline: number): Promise<Socket> {
    await checkLiteralHost(this.config.host, this.options.lookup);
    return this.connect(deadline);
  }

  private connect(deadline: number): Promise<Socket> {
    const { host, port } = this.config;
    const lookup = this.options.lookup ? { lookup: this.options.lookup } : {};
    return new Promise((resolve, reject) => {
      const socket = this.config.tls
        ? tlsConnect({
            host,
            port,
            servername: isIP(host) ? undefined : host,
            ...(this.config.ca ? { ca: this.config.ca } : {}),
            ...lookup,
          })
        : netConnect({ host, port, ...lookup });
      const ready = this.config.tls ? 'secureConnect' : 'connect';
      const timer = setTimeout(
        () => socket.destroy(new Error(`not connected within ${this.options.timeoutMs} ms`)),
        Math.max(0, deadline - Date.now()),
      );
      const failed = (error: Error): void => {
        clearTimeout(timer);
        reject(error);
      };
      socket.once('error', failed);
      socket.once(ready, () => {
        clearTimeout(timer);
        socket.off('error', failed);
        socket.setNoDelay(true);
        socket.setKeepAlive(true, 30_000);
        // The receiver sends nothing; reading lets its close (or reset) be seen at once.
        socket.on('data', () => undefined);
        const gone = (): void => {
          if (this.socket === socket) this.socket = undefined;
          socket.destroy();
        };
        socket.on('end', gone);
        socket.on('error', gone);
        socket.on('close', gone);
        this.socket = socket;
        resolve(socket);
      });
    });
  }

  private write(socket: Socket, frames: Buffer, deadline: number): Promise<void> {
    return new Promise((resolve, reject) => {
      if (socket.destroyed || !socket.writable) {
        reject(new Error('connection closed'));
        return;
      }
      const timer = setTimeout(
        () => reject(new Error(`not written within ${this.options.timeoutMs} ms`)),
        Math.max(0, deadline - Date.now()),
      );
      const closed = (): void => {
        clearTimeout(timer);
        reject(new Error('connection closed while writing'));
      };
      socket.once('close', closed);
      socket.write(frames, (error) => {
        clearTimeout(timer);
        socket.off('close', closed);
        if (error) reject(error);
        else resolve();
      });
    });
  }

  private drop(): void {
    this.socket?.destroy();
    this.socket = undefined;
  }
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
