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
