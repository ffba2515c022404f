import { describe, expect, it } from 'vitest';
import { parseMail } from '../../functions/core/parse.js';
import { fixture } from '../helpers/corpus.js';

describe('parseMail', () => {
  it('reads sender, recipients, decoded subject and the quoted-printable text', async () => {
    // Act
    const mail = await parseMail(fixture('core/invitation-with-attachment.eml'));

    // Assess
    expect(mail.from).toEqual({ name: 'Ingrid Åkesson', address: 'ingrid.akesson@example.org' });
    expect(mail.replyTo).toEqual([{ name: 'Events Office', address: 'events@example.org' }]);
    expect(mail.to.map((entry) => entry.address)).toEqual([
      'EUinternational@stockholm.se',
      'partner@example.net',
    ]);
    expect(mail.cc.map((entry) => entry.address)).toEqual(['colleague@example.org']);
    expect(mail.subject).toBe('Inbjudan till konferens om städer');
    expect(mail.messageId).toBe('<fixture-1@example.org>');
    expect(mail.date).toBe('2026-05-04T09:11:00.000Z');
    expect(mail.text).toContain('bjuda in finansborgarrådet att tala vid vår konferens');
  });

  it('names attachments and counts their size without keeping binary content', async () => {
    const mail = await parseMail(fixture('core/invitation-with-attachment.eml'));

    expect(mail.attachments).toEqual([
      { filename: 'program.bin', contentType: 'application/octet-stream', size: 1052 },
    ]);
    expect(mail.attachedTexts).toEqual([]);
  });

  it('collects the headers the automated-mail check needs', async () => {
    const mail = await parseMail(fixture('core/invitation-with-attachment.eml'));

    expect(mail.headers.contentType).toBe('multipart/mixed; boundary=outer');
    expect(mail.headers.returnPath).toContain('bounce-123@mail.example.org');
    expect(mail.headers.autoSubmitted).toBe('');
  });

  it('reads an iCalendar invitation: method, summary, description and organizer', async () => {
    const mail = await parseMail(fixture('core/calendar-invite.eml'));

    expect(mail.calendars).toEqual([
      {
        method: 'REQUEST',
        summary: 'Mayors Summit, keynote by the Mayor',
        description: 'We invite the Mayor of Stockholm to give a keynote.\nWelcome!',
        organizer: 'Summit: Office office@example.eu',
        location: 'Brussels',
      },
    ]);
  });

  it('reads a message with LF-only lines and no final newline to its last word', async () => {
    const mail = await parseMail(fixture('core/lf-only-no-final-newline.eml'));

    expect(mail.subject).toBe('LF only lines');
    expect(mail.text.trim()).toBe('Body line one\nBody line two');
  });

  it('turns HTML-only mail into text', async () => {
    const raw = Buffer.from(
      'From: a@example.com\r\nTo: protocol@stockholm.se\r\nSubject: html\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>Official <b>visit</b> of the Minister</p><p>Second&nbsp;line</p>',
    );

    const mail = await parseMail(raw);

    expect(mail.text).toContain('Official visit of the Minister');
    expect(mail.text).toContain('Second');
  });

  it('turns an HTML-only body beside an attachment into text (mailparser leaves it empty)', async () => {
    // Prepare
    const raw = [
      'From: A <a@example.org>',
      'To: protocol@stockholm.se',
      'Subject: Visit',
      'MIME-Version: 1.0',
      'Content-Type: multipart/mixed; boundary="b1"',
      '',
      '--b1',
      'Content-Type: text/html; charset=utf-8',
      '',
      '<html><body><p>The delegation of the <b>Minister</b> arrives on Tuesday.</p></body></html>',
      '--b1',
      'Content-Type: text/calendar; charset=utf-8; method=REQUEST',
      'Content-Disposition: attachment; filename="invite.ics"',
      '',
      'BEGIN:VCALENDAR',
      'METHOD:REQUEST',
      'BEGIN:VEVENT',
      'SUMMARY:Visit',
      'END:VEVENT',
      'END:VCALENDAR',
      '--b1--',
      '',
    ].join('\r\n');

    // Act
    const mail = await parseMail(Buffer.from(raw));

    // Assess
    expect(mail.text).toBe('The delegation of the Minister arrives on Tuesday.');
    expect(mail.calendars).toHaveLength(1);
  });

  it('opens a forwarded message/rfc822 attachment and keeps what it says', async () => {
    const inner =
      'From: Ambassador <amb@embassy.example>\r\nSubject: Note verbale\r\n\r\nThe Embassy presents its compliments.\r\n';
    const raw = Buffer.from(
      `From: a@example.com\r\nTo: protocol@stockholm.se\r\nSubject: Fwd\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=x\r\n\r\n--x\r\nContent-Type: text/plain\r\n\r\nSee below.\r\n--x\r\nContent-Type: message/rfc822\r\nContent-Disposition: attachment; filename=note.eml\r\n\r\n${inner}--x--\r\n`,
    );

    const mail = await parseMail(raw);

    const forwarded = [mail.text, ...mail.attachedTexts.map((entry) => entry.text)].join('\n');
    expect(forwarded).toContain('The Embassy presents its compliments.');
  });

  it('gives empty but well-formed results for an empty message', async () => {
    const mail = await parseMail(new Uint8Array());

    expect(mail.subject).toBe('');
    expect(mail.from).toBeUndefined();
    expect(mail.text).toBe('');
  });
});
