// Test messages built as a client writes them (CRLF, a multipart/mixed with one base64 attachment).

/** A message with one base64 attachment; `id`, when given, makes its Message-ID, so its routing id. */
export function messageWithAttachment(options: {
  content: Uint8Array;
  id?: string;
  from?: string;
  to?: string;
  subject?: string;
  body?: string;
  contentType?: string;
  filename?: string;
}): Buffer {
  const contentType = options.contentType ?? 'application/octet-stream';
  const filename = options.filename ?? 'attachment.bin';
  return Buffer.from(
    [
      `From: ${options.from ?? 'Partner <partner@example.org>'}`,
      `To: ${options.to ?? 'EUinternational@stockholm.se'}`,
      `Subject: ${options.subject ?? 'Programme and the full video recording'}`,
      ...(options.id ? [`Message-ID: <${options.id}@example.org>`] : []),
      'MIME-Version: 1.0',
      'Content-Type: multipart/mixed; boundary="b"',
      '',
      '--b',
      'Content-Type: text/plain; charset=utf-8',
      '',
      options.body ?? 'Please find the recording attached.',
      '--b',
      `Content-Type: ${contentType}; name="${filename}"`,
      `Content-Disposition: attachment; filename="${filename}"`,
      'Content-Transfer-Encoding: base64',
      '',
      Buffer.from(options.content).toString('base64').replace(/.{76}/g, '$&\r\n'),
      '--b--',
      '',
    ].join('\r\n'),
    'utf8',
  );
}

/**
 * An Outlook answer to one of our meetings (text/plain beside a METHOD:REPLY calendar), the attendee's
 * note in the calendar's COMMENT and as the body, unless the body is given.
 */
export function calendarAnswer(options: {
  from: string;
  to: string;
  subject: string;
  status: 'ACCEPTED' | 'DECLINED' | 'TENTATIVE';
  note: string;
  summary: string;
  body?: string;
  /** REPLY accepts or declines; COUNTER proposes another time ("New Time Proposed:"). */
  method?: 'REPLY' | 'COUNTER';
  /** The calendar's PRODID ("-//Google Inc//Google Calendar 70.9054//EN"), when the client writes one. */
  producer?: string;
}): Buffer {
  const { from, to, subject, status, note, summary, body = note, method = 'REPLY', producer } = options;
  const attendee = /<([^>]+)>/.exec(from)?.[1] ?? from;
  return Buffer.from(
    [
      `From: ${from}`,
      `To: ${to}`,
      `Subject: ${subject}`,
      'MIME-Version: 1.0',
      'Content-Type: multipart/alternative; boundary="b"',
      '',
      '--b',
      'Content-Type: text/plain; charset=utf-8',
      'Content-Transfer-Encoding: 8bit',
      '',
      body,
      '--b',
      `Content-Type: text/calendar; charset=utf-8; method=${method}`,
      'Content-Transfer-Encoding: 8bit',
      '',
      'BEGIN:VCALENDAR',
      ...(producer ? [`PRODID:${producer}`] : []),
      `METHOD:${method}`,
      'BEGIN:VEVENT',
      `ATTENDEE;PARTSTAT=${status}:mailto:${attendee}`,
      ...(note ? [`COMMENT:${note.replace(/[,;]/g, (mark) => `\\${mark}`)}`] : []),
      `SUMMARY:${summary}`,
      'END:VEVENT',
      'END:VCALENDAR',
      '--b--',
      '',
    ].join('\r\n'),
  );
}
