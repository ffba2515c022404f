// Local mode reads message files; storage conventions (an mbox separator, a byte order mark, CR-only
// line ends, a first header line indented) must not turn the header block into body in the forward.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseRouterConfig } from '../../functions/config/schema.js';
import { analyze } from '../../functions/core/analyze.js';
import { forwardMessage } from '../../functions/core/forward-message.js';
import { parseMail } from '../../functions/core/parse.js';
import { messageFromFile } from '../../functions/local/message-file.js';
import { CORPUS_ABSENT_NOTE, hasPublicFixtures, PUBLIC_FIXTURES } from '../helpers/corpus.js';

const config = parseRouterConfig({});
const ADDRESS = 'protocol@stockholm.se';

const MESSAGE =
  'From: Anna <anna@example.org>\r\nTo: protocol@stockholm.se\r\nSubject: Besok\r\nContent-Type: multipart/mixed; boundary="b"\r\n\r\n' +
  '--b\r\nContent-Type: text/plain\r\n\r\nVi ber om ett besok hos borgmastaren.\r\n' +
  '--b\r\nContent-Type: text/plain; name="program.txt"\r\nContent-Disposition: attachment; filename="program.txt"\r\n\r\nProgram\r\n--b--\r\n';

/** The forward of a file as local mode makes it, and what a person reads in it. */
async function forwardOfFile(file: Buffer) {
  const message = messageFromFile(file);
  const { mail, classification, decision } = await analyze(message, config, ADDRESS);
  const forwarded = forwardMessage({
    raw: message,
    mail,
    classification,
    decision: { ...decision, recipients: ['group@stockholm.se'] },
    functionalAddress: ADDRESS,
    routerSender: config.routerSender,
    routingId: 'id',
    loopMarker: 'v1 id 0',
  });
  return { message, received: await parseMail(forwarded), sent: mail };
}

describe('messageFromFile', () => {
  it.each([
    ['an mbox separator line', `From anna@example.org  Mon May  4 09:12:00 2026\r\n${MESSAGE}`],
    ['a UTF-8 byte order mark', `\ufeff${MESSAGE}`],
    ['CR-only line ends', MESSAGE.replace(/\r\n/g, '\r')],
    [
      'an mbox line and a byte order mark',
      `\ufeffFrom anna@example.org Mon May  4 09:12:00 2026\n${MESSAGE}`,
    ],
  ])('reads a file with %s as the message SES would receive', async (_, text) => {
    // Act
    const { message, received } = await forwardOfFile(Buffer.from(text, 'utf8'));

    // Assess
    expect(message.toString('latin1').replace(/\r?\n/g, '\n')).toBe(MESSAGE.replace(/\r\n/g, '\n'));
    expect(received.text).toContain('Vi ber om ett besok');
    expect(received.attachments.map((attachment) => attachment.filename)).toEqual(['program.txt']);
  });

  it('drops an indented first header line with its continuations, as SES would fold it into its own trace header', () => {
    // Prepare
    const file = Buffer.from(
      ` From: Anna <anna@example.org>\r\n\tcontinued\r\n${MESSAGE.slice(MESSAGE.indexOf('To:'))}`,
    );

    // Act
    const message = messageFromFile(file);

    // Assess
    expect(message.toString('latin1').startsWith('To: protocol@stockholm.se\r\n')).toBe(true);
  });

  it('leaves a message that starts with a header as it is, "From :" with white space included', () => {
    const plain = Buffer.from(MESSAGE);
    const obsolete = Buffer.from(`From : anna@example.org\r\nSubject: x\r\n\r\nHej\r\n`);

    expect(messageFromFile(plain)).toBe(plain);
    expect(messageFromFile(obsolete)).toBe(obsolete);
  });

  it.runIf(hasPublicFixtures)(
    'forwards every public fixture with the text and attachments the router read in it',
    { timeout: 180_000 },
    async () => {
      const walk = (dir: string): string[] =>
        readdirSync(dir)
          .sort()
          .flatMap((entry) => {
            const path = join(dir, entry);
            if (statSync(path).isDirectory()) return walk(path);
            return entry.endsWith('.md') ? [] : [path];
          });
      const lost: string[] = [];
      for (const path of walk(PUBLIC_FIXTURES)) {
        // Act
        const { received, sent } = await forwardOfFile(readFileSync(path)).catch(() => ({
          received: undefined,
          sent: undefined,
        }));

        // Assess: a message the parser cannot read goes as a note with the original attached (bad-input tests)
        if (!received || !sent) continue;
        const names = (mail: typeof sent) => mail.attachments.map((attachment) => attachment.filename);
        if (received.text !== sent.text || names(received).join('|') !== names(sent).join('|'))
          lost.push(path);
      }
      expect(lost).toEqual([]);
    },
  );

  it.runIf(!hasPublicFixtures)(CORPUS_ABSENT_NOTE, () => {
    expect(hasPublicFixtures).toBe(false);
  });
});
