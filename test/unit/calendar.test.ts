import { describe, expect, it } from 'vitest';
import { parseCalendar } from '../../functions/core/calendar.js';

describe('parseCalendar', () => {
  it('unfolds lines, unescapes text and reads the first event', () => {
    const ics = [
      'BEGIN:VCALENDAR',
      'METHOD:request',
      'BEGIN:VEVENT',
      'SUMMARY:Nordic Mayors\\; Forum',
      'DESCRIPTION:Line one\\nline',
      '  two',
      'ORGANIZER:mailto:org@example.eu',
      'END:VEVENT',
      'BEGIN:VEVENT',
      'SUMMARY:Second event is ignored',
      'END:VEVENT',
      'END:VCALENDAR',
    ].join('\r\n');

    expect(parseCalendar(ics)).toEqual({
      method: 'REQUEST',
      summary: 'Nordic Mayors; Forum',
      description: 'Line one\nline two',
      organizer: 'org@example.eu',
      location: '',
    });
  });

  it('keeps the event description when a reminder nested in the event has its own', () => {
    const ics = [
      'BEGIN:VCALENDAR',
      'BEGIN:VEVENT',
      'DESCRIPTION:You are invited to speak at the summit',
      'BEGIN:VALARM',
      'ACTION:DISPLAY',
      'DESCRIPTION:REMINDER',
      'END:VALARM',
      'SUMMARY:Summit',
      'END:VEVENT',
      'END:VCALENDAR',
    ].join('\r\n');

    expect(parseCalendar(ics)).toMatchObject({
      summary: 'Summit',
      description: 'You are invited to speak at the summit',
    });
  });

  it('returns nothing for text that is not a calendar', () => {
    expect(parseCalendar('SUMMARY:not in a calendar')).toBeUndefined();
  });

  it("reads an attendee's note from Outlook's COMMENT and Google's X-RESPONSE-COMMENT", () => {
    // Prepare
    const reply = (attendee: string, comment: string) =>
      [
        'BEGIN:VCALENDAR',
        'METHOD:REPLY',
        'BEGIN:VEVENT',
        attendee,
        comment,
        'SUMMARY:Baltic Cities Forum',
        'END:VEVENT',
        'END:VCALENDAR',
      ].join('\r\n');

    // Act
    const outlook = parseCalendar(
      reply(
        'ATTENDEE;PARTSTAT=ACCEPTED:mailto:a@example.fi',
        'COMMENT;LANGUAGE=fi-FI:Can we start\\, say\\, at 11?',
      ),
    );
    const google = parseCalendar(
      reply(
        'ATTENDEE;PARTSTAT=DECLINED;X-RESPONSE-COMMENT="Sorry\\, we have a council meeting":mailto:b@example.pt',
        'X-NOTHING:',
      ),
    );
    const empty = parseCalendar(
      reply('ATTENDEE;PARTSTAT=ACCEPTED:mailto:c@example.se', 'COMMENT;LANGUAGE=sv-SE:\\n'),
    );

    // Assess
    expect(outlook).toMatchObject({
      method: 'REPLY',
      comment: 'Can we start, say, at 11?',
      attendeeStatus: 'ACCEPTED',
    });
    expect(google).toMatchObject({ comment: 'Sorry, we have a council meeting', attendeeStatus: 'DECLINED' });
    expect(empty?.comment).toBeUndefined();
  });
});
