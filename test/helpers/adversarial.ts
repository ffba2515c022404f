// Test helper: hostile and broken messages, generated in memory (some are tens of megabytes: never
// committed as files). Each one targets a limit or an assumption of a MIME parser or of our own code.

export interface AdversarialMessage {
  name: string;
  raw: Buffer;
}

const CRLF = '\r\n';
const HEAD = `From: Adversary <adversary@example.org>${CRLF}To: EUinternational@stockholm.se${CRLF}`;

function message(headers: string, body: string | Buffer): Buffer {
  return Buffer.concat([Buffer.from(`${HEAD}${headers}${CRLF}`, 'latin1'), Buffer.from(body)]);
}

function deepNesting(depth: number): Buffer {
  let open = '';
  let close = '';
  for (let level = 0; level < depth; level += 1) {
    open += `Content-Type: multipart/mixed; boundary="b${level}"${CRLF}${CRLF}--b${level}${CRLF}`;
    close = `${CRLF}--b${level}--${CRLF}${close}`;
  }
  return message(
    `Subject: deep${CRLF}MIME-Version: 1.0${CRLF}`,
    `${open}Content-Type: text/plain${CRLF}${CRLF}innermost${close}`,
  );
}

function siblingParts(count: number): Buffer {
  const parts: string[] = [];
  for (let index = 0; index < count; index += 1) {
    parts.push(`--s${CRLF}Content-Type: text/plain${CRLF}${CRLF}part ${index}${CRLF}`);
  }
  return message(
    `Subject: siblings${CRLF}MIME-Version: 1.0${CRLF}Content-Type: multipart/mixed; boundary="s"${CRLF}`,
    `${parts.join('')}--s--${CRLF}`,
  );
}

function manyAddressHeaders(count: number): Buffer {
  const lines: string[] = [];
  for (let index = 0; index < count; index += 1) lines.push(`Cc: person${index}@example.org`);
  return message(`Subject: many headers${CRLF}${lines.join(CRLF)}${CRLF}`, `body${CRLF}`);
}

function encodedWords(count: number): Buffer {
  const words = Array.from({ length: count }, (_, index) => `=?utf-8?q?w${index % 10}?=`).join(`${CRLF} `);
  return message(`Subject: ${words}${CRLF}`, `body${CRLF}`);
}

function largeText(bytes: number): Buffer {
  const line = 'Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor.\r\n';
  return message(
    `Subject: big text${CRLF}Content-Type: text/plain; charset=utf-8${CRLF}`,
    line.repeat(Math.ceil(bytes / line.length)),
  );
}

function binaryGarbage(bytes: number): Buffer {
  // A fixed linear congruential sequence: the same bytes every run, so a failure reproduces.
  const out = Buffer.alloc(bytes);
  let state = 0x2545f491;
  for (let index = 0; index < bytes; index += 1) {
    state = (Math.imul(state, 1_103_515_245) + 12_345) >>> 0;
    out[index] = state >>> 24;
  }
  return out;
}

/** The adversarial set of issue #5, promise 8. */
export function adversarialMessages(): AdversarialMessage[] {
  return [
    { name: 'deep-nesting-1000', raw: deepNesting(1000) },
    { name: 'sibling-parts-50000', raw: siblingParts(50_000) },
    { name: 'address-headers-100000', raw: manyAddressHeaders(100_000) },
    {
      name: 'unterminated-boundary',
      raw: message(
        `Subject: open${CRLF}MIME-Version: 1.0${CRLF}Content-Type: multipart/mixed; boundary="never"${CRLF}`,
        `--never${CRLF}Content-Type: text/plain${CRLF}${CRLF}no closing boundary follows`,
      ),
    },
    {
      name: 'cr-only-lines',
      raw: Buffer.from(
        'From: a@example.org\rTo: EUinternational@stockholm.se\rSubject: cr\r\rbody only cr\r',
      ),
    },
    {
      name: 'lf-only-lines',
      raw: Buffer.from(
        'From: a@example.org\nTo: EUinternational@stockholm.se\nSubject: lf\n\nbody only lf\n',
      ),
    },
    { name: 'nul-bytes', raw: message(`Subject: nul\u0000here${CRLF}`, `body\u0000with\u0000nul${CRLF}`) },
    {
      name: 'unknown-charset',
      raw: message(
        `Subject: =?x-klingon?Q?=C3=A5?=${CRLF}Content-Type: text/plain; charset=x-klingon${CRLF}`,
        `\u00e5\u00e4\u00f6${CRLF}`,
      ),
    },
    {
      name: 'invalid-base64',
      raw: message(
        `Subject: b64${CRLF}Content-Type: text/plain${CRLF}Content-Transfer-Encoding: base64${CRLF}`,
        `!!!not base64 at all***${CRLF}====${CRLF}`,
      ),
    },
    { name: 'empty-file', raw: Buffer.alloc(0) },
    { name: 'binary-garbage', raw: binaryGarbage(64 * 1024) },
    { name: 'headers-without-body', raw: Buffer.from(`${HEAD}Subject: no body`) },
    { name: 'body-without-headers', raw: Buffer.from(`just some words${CRLF}and more${CRLF}`) },
    {
      name: 'header-injection-encoded-word',
      raw: message(`Subject: =?utf-8?Q?hi=0D=0ABcc:_victim@example.org?=${CRLF}`, `body${CRLF}`),
    },
    {
      name: 'header-line-5mb',
      raw: message(`Subject: ${'x'.repeat(5 * 1024 * 1024)}${CRLF}`, `body${CRLF}`),
    },
    { name: 'encoded-words-200000', raw: encodedWords(200_000) },
    { name: 'text-body-10mb', raw: largeText(10 * 1024 * 1024) },
  ];
}
