// core (pure) --> the domain's shapes, shared by every step of the routing pipeline.

export const CATEGORIES = ['invitation', 'protocol_visit', 'eu_matter', 'other'] as const;
export type Category = (typeof CATEGORIES)[number];

export interface MailAddress {
  /** Display name as decoded, possibly empty. */
  name: string;
  /** The addr-spec, lower-cased domain; empty when the header held no usable address. */
  address: string;
}

export interface AttachmentInfo {
  filename: string;
  contentType: string;
  size: number;
}

/** The parts of an iCalendar attachment or part a person would read. */
export interface CalendarInfo {
  method: string;
  summary: string;
  description: string;
  organizer: string;
  location: string;
  /**
   * The attendee's own words on a REPLY (the event's COMMENT, or Google Calendar's
   * X-RESPONSE-COMMENT on the attendee); absent when there are none.
   */
  comment?: string;
  /** The attendee's answer on a REPLY (the ATTENDEE's PARTSTAT: ACCEPTED, DECLINED, TENTATIVE), if given. */
  attendeeStatus?: string;
  /** The program that wrote the calendar (PRODID: "-//Google Inc//Google Calendar 70.9054//EN"), if named. */
  producer?: string;
}

/** Text a person would read in an attachment: a small text file, a PDF letter, a forwarded message. */
export interface AttachedText {
  source: 'text-attachment' | 'pdf' | 'forwarded-message';
  filename: string;
  text: string;
}

/**
 * The headers the automated-mail check needs. Loop checks read the raw header block instead
 * (functions/core/loop-check.ts), so they also work on mail the parser cannot read.
 */
export interface AutomationHeaders {
  autoSubmitted: string;
  precedence: string;
  xAutoreply: string;
  xAutorespond: string;
  returnPath: string;
  /** Full Content-Type of the root part, lower-cased, e.g. `multipart/report; report-type=delivery-status`. */
  contentType: string;
  /** `X-List-Administrivia` (Mailman 2 on its own notices), e.g. `yes`. */
  listAdministrivia: string;
  /** `List-Id` (RFC 2919): present on list posts, and on a list manager's own notices. */
  listId: string;
  /**
   * Exchange's marks on what it sends for a rule or a responder: `X-Auto-Response-Suppress` (Outlook
   * asks that nothing answer its automatic reply) and `X-MS-Exchange-Inbox-Rules-Loop` (the mailbox whose
   * inbox rule sent it). A rule also forwards persons' letters, so they only confirm a responder's subject.
   */
  xAutoResponseSuppress: string;
  xMsExchangeInboxRulesLoop: string;
  /**
   * `X-Ricevuta` (Italian certified mail, PEC): the provider's receipts and notices on a message
   * (`accettazione`, `avvenuta-consegna`, `errore-consegna` …). The envelope that carries a person's
   * message is marked `X-Trasporto` instead, and is not read here.
   */
  xRicevuta: string;
}

/** One inbound message as the router sees it: small, typed, and free of the raw bytes. */
export interface InboundMail {
  from: MailAddress | undefined;
  replyTo: MailAddress[];
  to: MailAddress[];
  cc: MailAddress[];
  subject: string;
  /** ISO 8601 date from the Date header, if it parsed. */
  date: string | undefined;
  messageId: string | undefined;
  inReplyTo: string | undefined;
  /** The whole readable body: text/plain, or HTML converted to text when there is no plain part. */
  text: string;
  attachments: AttachmentInfo[];
  calendars: CalendarInfo[];
  attachedTexts: AttachedText[];
  headers: AutomationHeaders;
  /** Set when the parser could only read part of the message (limits hit, broken MIME). */
  parseWarnings: string[];
}

export interface AutomatedVerdict {
  automated: boolean;
  /** Evidence, e.g. `header:auto-submitted=auto-replied`, `subject:"Automatic reply:"`. */
  reasons: string[];
  /**
   * Not automated, but machine-like cues too weak to suppress on (a subject that responders write,
   * and nothing else machine-like): a person must look, so the message goes to triage, unless the
   * doubt rests on a responder's subject, an away note that asks or concedes, or a generated header,
   * and the classifier is sure of a group (decide.ts).
   */
  doubts?: string[];
  /**
   * What the doubt rests on: a responder's subject ("Automatic reply:", "Out of office") over a
   * letter, a short away notice, a calendar answer with the attendee's words, a list's notice subject,
   * an `Auto-Submitted: auto-generated` notice that reads as nothing else automated.
   */
  doubtFrom?: 'subject' | 'body' | 'calendar' | 'list-notice' | 'generated';
}

export interface Classification {
  category: Category;
  /** 0..1, calibrated: above the configured threshold the category is trusted. */
  confidence: number;
  /** Evidence that decided it, e.g. `subject:"inbjudan"`, `ics:METHOD:REQUEST`. */
  reasons: string[];
}

export type Disposition = 'forward' | 'suppress' | 'quarantine';

export interface RoutingDecision {
  /** The category the message is delivered as (`other` when below the threshold). */
  category: Category;
  disposition: Disposition;
  /** Group addresses, only ever taken from configuration. */
  recipients: string[];
  subjectTag: string;
  /** Why this decision, appended to the classifier's reasons. */
  reasons: string[];
}
