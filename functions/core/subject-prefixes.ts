// core (pure): the prefixes mail clients put before a subject they answer or pass on, in the
// languages the router receives. One list for every reader of a subject, so a prefix learnt for one
// (the automated check, the classifier's thread features) is known to all.

/**
 * "Re:", "SV:", "AW:", "Odp:", "Ynt:", "R:", "Resposta:", "Odg:", "ΑΠ:", "Ответ:", "Відп:", and the
 * whole words some clients write ("Réponse :", "Antwort:", "Svar:", "Risposta:"), repeated or counted
 * ("Re[2]:").
 */
export const REPLY_PREFIX =
  /^\s*((re|sv|aw|vs|antw|odp|ynt|res|resposta|rif|r|vá|odg|atb|ats|απ|ответ|відп|réponse|reponse|antwort|svar|risposta|respuesta|vastaus|odpověď|odgovor|răspuns|válasz)\s*(\[\d+\])?\s*:\s*)+/i;
/** "Fwd:", "VB:", "WG:", "TR:", "RV:", "I:", "PD:", "Doorst:", "Edasi:", "Videresend:", "Enc:". */
export const FORWARD_PREFIX = /^\s*((fw|fwd|vb|wg|tr|rv|i|pd|enc|doorst|edasi|videresend)\s*:\s*)+/i;

export function isReplySubject(subject: string): boolean {
  return REPLY_PREFIX.test(subject);
}

export function isReplyOrForwardSubject(subject: string): boolean {
  return REPLY_PREFIX.test(subject) || FORWARD_PREFIX.test(subject);
}
