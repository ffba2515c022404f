import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { detectAutomated } from '../../functions/core/automated.js';
import { emptyInboundMail } from '../../functions/core/inbound-mail.js';
import { parseMail } from '../../functions/core/parse.js';
import { CORPUS_ABSENT_NOTE, DEV_CORPUS, fixture, hasDevCorpus, readLabels } from '../helpers/corpus.js';

const plain = (headers: Record<string, string>, subject = 'Hello'): Buffer =>
  Buffer.from(
    `From: Someone <someone@example.org>\r\nTo: protocol@stockholm.se\r\nSubject: ${subject}\r\n${Object.entries(
      headers,
    )
      .map(([name, value]) => `${name}: ${value}\r\n`)
      .join('')}\r\nBody\r\n`,
  );

async function verdictFor(raw: Buffer) {
  return detectAutomated(await parseMail(raw));
}

describe('detectAutomated', () => {
  it.each([
    [
      'Auto-Submitted: auto-replied',
      { 'Auto-Submitted': 'auto-replied' },
      'header:auto-submitted=auto-replied',
    ],
    [
      'Auto-Submitted: auto-generated',
      { 'Auto-Submitted': 'auto-generated' },
      'header:auto-submitted=auto-generated',
    ],
    ['X-Autoreply', { 'X-Autoreply': 'yes' }, 'header:x-autoreply'],
    ['X-Autorespond', { 'X-Autorespond': 'Vacation' }, 'header:x-autorespond'],
    ['Precedence: auto_reply', { Precedence: 'auto_reply' }, 'header:precedence=auto_reply'],
    ['Precedence: junk', { Precedence: 'junk' }, 'header:precedence=junk'],
    ['a null Return-Path', { 'Return-Path': '<>' }, 'header:return-path=<>'],
  ])('flags %s', async (_label, headers, reason) => {
    const verdict = await verdictFor(plain(headers));

    expect(verdict.automated).toBe(true);
    expect(verdict.reasons).toContain(reason);
  });

  it.each([
    ['Autosvar: Möte'],
    ['Automatiskt svar: Inbjudan'],
    ['Automatic reply: Conference'],
    ['Out of Office: Re: visit'],
    ['Abwesenheitsnotiz: Treffen'],
    ['Réponse automatique : RE: projet'],
    ['Automaattinen vastaus: kokous'],
    ['Automatyczna odpowiedź: SV: zaproszenie'],
    ['Automaatne vastus: kohtumine'],
    ['Respuesta automática: visita'],
    ['Risposta automatica: invito'],
    ['Автоматична відповідь: візит'],
    ['Undeliverable: Invitation'],
  ])('flags the out-of-office or report subject "%s"', async (subject) => {
    const verdict = await verdictFor(plain({}, subject));

    expect(verdict.automated).toBe(true);
  });

  it('flags delivery reports, read receipts and MAILER-DAEMON senders', async () => {
    const dsn = Buffer.from(
      'From: MAILER-DAEMON@mx.example.org\r\nTo: a@stockholm.se\r\nSubject: Mail returned\r\nContent-Type: multipart/report; report-type=delivery-status; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nfailed\r\n--b--\r\n',
    );
    const receipt = Buffer.from(
      'From: r@example.org\r\nTo: a@stockholm.se\r\nSubject: Read: visit\r\nContent-Type: multipart/report; report-type="disposition-notification"; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nread\r\n--b--\r\n',
    );

    expect((await verdictFor(dsn)).reasons).toEqual(
      expect.arrayContaining(['mime:delivery-status-report', 'sender:mailer-daemon']),
    );
    expect((await verdictFor(receipt)).reasons).toContain('mime:read-receipt');
    expect((await verdictFor(await fixture('core/out-of-office-subject-only.eml'))).automated).toBe(true);
  });

  it('does not flag newsletters (Precedence: bulk, List-Id) or people writing about auto-replies', async () => {
    const newsletter = plain(
      { Precedence: 'bulk', 'List-Id': 'News <news.example.eu>' },
      'EU funding newsletter',
    );
    const human = plain({ 'Auto-Submitted': 'no' }, 'Re: your automatic reply said you were away');

    expect((await verdictFor(newsletter)).automated).toBe(false);
    expect((await verdictFor(human)).automated).toBe(false);
  });

  it('flags an empty mail as not automated', () => {
    const empty = emptyInboundMail();

    expect(detectAutomated(empty)).toEqual({ automated: false, reasons: [] });
  });

  describe.runIf(hasDevCorpus)('over the dev corpus', () => {
    it('detects every automated message and none of the others', async () => {
      // Prepare
      const labels = readLabels();

      // Act
      const verdicts = await Promise.all(
        labels.map(async (label) => ({
          label,
          verdict: detectAutomated(await parseMail(readFileSync(join(DEV_CORPUS, label.file)))),
        })),
      );

      // Assess
      const wrong = verdicts.filter(({ label, verdict }) => label.automated !== verdict.automated);
      expect(wrong.map(({ label, verdict }) => `${label.file}: ${verdict.reasons.join(', ')}`)).toEqual([]);
      expect(verdicts.filter(({ verdict }) => verdict.automated)).toHaveLength(12);
    });
  });

  it.runIf(!hasDevCorpus)(CORPUS_ABSENT_NOTE, () => {
    expect(hasDevCorpus).toBe(false);
  });
});
