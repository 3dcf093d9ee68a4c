/** A syslog message parsed per RFC 5424, for checking what a receiver got. */
export interface Rfc5424Message {
  pri: number;
  facility: number;
  severity: number;
  version: number;
  timestamp: string;
  hostname: string;
  appName: string;
  procId: string;
  msgId: string;
  /** SD-ID → PARAM-NAME → unescaped value; empty when STRUCTURED-DATA is `-`. */
  structuredData: Record<string, Record<string, string>>;
  /** MSG without its BOM. */
  msg: string;
  /** Whether MSG started with the UTF-8 BOM. */
  bom: boolean;
}

const HEADER =
  /^<(\d{1,3})>([1-9]\d{0,2}) (\S+) ([\x21-\x7e]{1,255}) ([\x21-\x7e]{1,48}) ([\x21-\x7e]{1,128}) ([\x21-\x7e]{1,32}) /;
const TIMESTAMP = /^(-|\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?(Z|[+-]\d{2}:\d{2}))$/;
const SD_NAME = /^[\x21-\x7e]{1,32}$/;

/** Parses one message; throws naming the first thing that is not RFC 5424. */
export function parseRfc5424(line: string): Rfc5424Message {
  const header = HEADER.exec(line);
  if (!header) throw new Error(`not an RFC 5424 header: ${line.slice(0, 120)}`);
  const [pri, version, timestamp, hostname, appName, procId, msgId] = header
    .slice(1)
    .map((field) => field ?? '');
  if (msgId === undefined) throw new Error('RFC 5424 header incomplete');
  if (Number(pri) > 191) throw new Error(`PRI ${pri} out of range`);
  if (!TIMESTAMP.test(timestamp ?? '')) throw new Error(`bad TIMESTAMP ${timestamp}`);
  let rest = line.slice(header[0].length);
  const structuredData: Rfc5424Message['structuredData'] = {};
  if (rest.startsWith('-')) {
    rest = rest.slice(1);
  } else {
    if (!rest.startsWith('[')) throw new Error('STRUCTURED-DATA missing');
    while (rest.startsWith('[')) {
      let i = 1;
      const readName = (stop: RegExp): string => {
        const start = i;
        while (i < rest.length && !stop.test(rest.charAt(i))) i += 1;
        const name = rest.slice(start, i);
        if (!SD_NAME.test(name) || /[= \]"]/.test(name)) throw new Error(`bad SD name ${name}`);
        return name;
      };
      const id = readName(/[ \]]/);
      const params: Record<string, string> = {};
      while (rest[i] === ' ') {
        i += 1;
        const name = readName(/=/);
        if (rest[i] !== '=' || rest[i + 1] !== '"') throw new Error(`bad SD-PARAM ${name}`);
        i += 2;
        let value = '';
        for (;;) {
          const char = rest[i];
          if (char === undefined) throw new Error('unterminated PARAM-VALUE');
          if (char === '\\' && ['"', '\\', ']'].includes(rest.charAt(i + 1))) {
            value += rest[i + 1];
            i += 2;
          } else if (char === '"') {
            i += 1;
            break;
          } else if (char === ']') {
            throw new Error(`unescaped ] in ${name}`);
          } else {
            value += char;
            i += 1;
          }
        }
        params[name] = value;
      }
      if (rest[i] !== ']') throw new Error(`SD-ELEMENT ${id} not closed`);
      structuredData[id] = params;
      rest = rest.slice(i + 1);
    }
  }
  let msg = '';
  if (rest.length > 0) {
    if (!rest.startsWith(' ')) throw new Error('no SP before MSG');
    msg = rest.slice(1);
  }
  const bom = msg.startsWith('\uFEFF');
  return {
    pri: Number(pri),
    facility: Math.floor(Number(pri) / 8),
    severity: Number(pri) % 8,
    version: Number(version),
    timestamp: timestamp ?? '',
    hostname: hostname ?? '',
    appName: appName ?? '',
    procId: procId ?? '',
    msgId,
    structuredData,
    msg: bom ? msg.slice(1) : msg,
    bom,
  };
}
