// core (pure): an iCalendar text --> the fields a person reads in a calendar invitation.
import type { CalendarInfo } from './types.js';

const MAX_CALENDAR_CHARS = 256 * 1024;

/**
 * Reads METHOD and the first VEVENT's SUMMARY, DESCRIPTION, ORGANIZER, LOCATION and the attendee's
 * comment and answer (PARTSTAT). Not a full RFC 5545 parser: routing needs what the invitation says,
 * not its recurrence rules.
 */
export function parseCalendar(ics: string): CalendarInfo | undefined {
  const lines = unfold(ics.slice(0, MAX_CALENDAR_CHARS));
  if (!lines.some((line) => /^BEGIN:VCALENDAR/i.test(line))) return undefined;
  const info: CalendarInfo = { method: '', summary: '', description: '', organizer: '', location: '' };
  let inEvent = false;
  // Components nested in the event (VALARM) have their own DESCRIPTION, e.g. "REMINDER".
  let nested = 0;
  let eventsSeen = 0;
  for (const line of lines) {
    const { name, params, value } = splitProperty(line);
    if (name === 'BEGIN' && value.toUpperCase() === 'VEVENT') {
      inEvent = true;
      eventsSeen += 1;
      continue;
    }
    if (name === 'END' && value.toUpperCase() === 'VEVENT') {
      inEvent = false;
      continue;
    }
    if (inEvent && name === 'BEGIN') nested += 1;
    if (inEvent && name === 'END' && nested > 0) {
      nested -= 1;
      continue;
    }
    if (name === 'METHOD') info.method = value.trim().toUpperCase();
    if (name === 'PRODID' && !inEvent) info.producer = value.trim();
    if (!inEvent || eventsSeen > 1 || nested > 0) continue;
    if (name === 'SUMMARY') info.summary = unescapeText(value);
    else if (name === 'DESCRIPTION') info.description = unescapeText(value);
    else if (name === 'LOCATION') info.location = unescapeText(value);
    else if (name === 'COMMENT') addComment(info, unescapeText(value));
    else if (name === 'ATTENDEE') {
      addComment(info, responseComment(params));
      const status = /(?:^|;)PARTSTAT="?([A-Za-z-]+)"?/i.exec(params)?.[1];
      if (status && !info.attendeeStatus) info.attendeeStatus = status.toUpperCase();
    } else if (name === 'ORGANIZER') {
      const commonName = /(?:^|;)CN="?([^";]*)"?/i.exec(params)?.[1] ?? '';
      info.organizer = [commonName, value.replace(/^mailto:/i, '')].filter(Boolean).join(' ');
    }
  }
  return info;
}

/** An attendee's note on a reply: Outlook writes the event's COMMENT, often as an empty "\n". */
function addComment(info: CalendarInfo, comment: string): void {
  const words = comment.trim();
  if (words) info.comment = info.comment ? `${info.comment}\n${words}` : words;
}

/** Google Calendar puts the note a guest typed with the answer on the ATTENDEE line. */
function responseComment(params: string): string {
  return unescapeText(/(?:^|;)X-RESPONSE-COMMENT="([^"]*)"/i.exec(params)?.[1] ?? '');
}

function unfold(text: string): string[] {
  return text
    .replace(/\r\n?/g, '\n')
    .replace(/\n[ \t]/g, '')
    .split('\n');
}

function splitProperty(line: string): { name: string; params: string; value: string } {
  const colon = findValueColon(line);
  if (colon < 0) return { name: '', params: '', value: '' };
  const head = line.slice(0, colon);
  const semicolon = head.indexOf(';');
  const name = (semicolon < 0 ? head : head.slice(0, semicolon)).trim().toUpperCase();
  const params = semicolon < 0 ? '' : head.slice(semicolon + 1);
  return { name, params, value: line.slice(colon + 1) };
}

/** The first colon outside a quoted parameter value separates the property from its value. */
function findValueColon(line: string): number {
  let quoted = false;
  for (let index = 0; index < line.length; index += 1) {
    const char = line[index];
    if (char === '"') quoted = !quoted;
    else if (char === ':' && !quoted) return index;
  }
  return -1;
}

function unescapeText(value: string): string {
  return value.replace(/\\([nN,;\\])/g, (_, escaped: string) =>
    escaped.toLowerCase() === 'n' ? '\n' : escaped,
  );
}
