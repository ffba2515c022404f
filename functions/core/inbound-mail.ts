// core (pure): the message the router knows nothing about, the start for mail built by hand
// (a message the parser could not read, tests).
import type { AutomationHeaders, InboundMail } from './types.js';

export const NO_AUTOMATION_HEADERS: Readonly<AutomationHeaders> = {
  autoSubmitted: '',
  precedence: '',
  xAutoreply: '',
  xAutorespond: '',
  returnPath: '',
  contentType: 'text/plain',
  listAdministrivia: '',
  listId: '',
  xAutoResponseSuppress: '',
  xMsExchangeInboxRulesLoop: '',
  xRicevuta: '',
};

/** An InboundMail with nothing in it, with the given parts set. */
export function emptyInboundMail(parts: Partial<InboundMail> = {}): InboundMail {
  return {
    from: undefined,
    replyTo: [],
    to: [],
    cc: [],
    subject: '',
    date: undefined,
    messageId: undefined,
    inReplyTo: undefined,
    text: '',
    attachments: [],
    calendars: [],
    attachedTexts: [],
    headers: { ...NO_AUTOMATION_HEADERS },
    parseWarnings: [],
    ...parts,
  };
}
