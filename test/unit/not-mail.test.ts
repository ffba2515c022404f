import { describe, expect, it } from 'vitest';
import { notMailOf, notMailReasons } from '../../functions/core/not-mail.js';
import { messageFromFile } from '../../functions/local/message-file.js';
import { adversarialMessages } from '../helpers/adversarial.js';
import { PIXEL_PNG, PROSE } from '../helpers/not-mail.js';
import { plainMessage } from '../helpers/pipeline-rig.js';

const CRLF = '\r\n';

describe('notMailReasons', () => {
  it('finds no reason in ordinary mail, in a header block alone, or in a message with one header field', () => {
    // Prepare
    const inputs = [
      plainMessage(),
      Buffer.from(`Subject: only a subject${CRLF}${CRLF}and a body${CRLF}`),
      Buffer.from(`From: a@example.org${CRLF}`),
      Buffer.from(`MIME-Version: 1.0${CRLF}Content-Type: text/plain${CRLF}${CRLF}body`),
    ];

    // Act
    const reasons = inputs.map((raw) => notMailReasons(raw));

    // Assess
    expect(reasons).toEqual([[], [], [], []]);
  });

  it('calls an image, an empty file and prose without headers not mail, as the CLI reads those files', () => {
    // Act
    const png = notMailReasons(messageFromFile(PIXEL_PNG));
    const empty = notMailReasons(messageFromFile(Buffer.alloc(0)));
    const blank = notMailReasons(Buffer.from(`${CRLF}  ${CRLF}\t${CRLF}`));
    const prose = notMailReasons(messageFromFile(PROSE));

    // Assess
    expect(png).toEqual(['not-mail:no-headers', 'not-mail:binary']);
    expect(empty).toEqual(['not-mail:empty']);
    expect(blank).toEqual(['not-mail:empty']);
    expect(prose).toEqual(['not-mail:no-headers']);
  });

  it('does not count trace or X- fields: what SES or a relay puts in front of an image is still no mail', () => {
    // Prepare
    const traced = Buffer.concat([
      Buffer.from(
        `Return-Path: <x@example.org>${CRLF}Received: from mail.example.org by inbound-smtp.eu-west-1.amazonaws.com${CRLF}X-SES-Spam-Verdict: PASS${CRLF}${CRLF}`,
      ),
      PIXEL_PNG,
    ]);

    // Act
    const reasons = notMailReasons(traced);

    // Assess
    expect(reasons).toEqual(['not-mail:no-headers', 'not-mail:binary']);
  });

  it('judges the hostile inputs by their header block: garbage and headerless ones are not mail, the rest are', () => {
    // Act
    const judged = Object.fromEntries(
      adversarialMessages().map((input) => [input.name, notMailOf(notMailReasons(input.raw))]),
    );

    // Assess
    expect(judged['empty-file']).toEqual(['not-mail:empty']);
    expect(judged['binary-garbage']).toEqual(['not-mail:no-headers', 'not-mail:binary']);
    expect(judged['body-without-headers']).toEqual(['not-mail:no-headers']);
    expect(judged['nul-bytes']).toEqual([]);
    expect(judged['headers-without-body']).toEqual([]);
    expect(judged['deep-nesting-1000']).toEqual([]);
  });
});
