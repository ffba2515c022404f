// core (pure) --> classify: a body split into what the sender wrote now and the history it quotes,
// without signatures' small print, legal disclaimers and mobile-client footers.

export interface BodySegments {
  /** What the sender wrote in this message. */
  fresh: string;
  /** Quoted replies and forwarded messages: what the thread is about. */
  quoted: string;
}

/** A line that opens quoted or forwarded history, in the languages the city receives. */
const HISTORY_OPENERS: RegExp[] = [
  /^-{2,}\s*(original message|ursprungligt meddelande|forwarded message|vidarebefordrat meddelande|weitergeleitete nachricht|urspr[üu]ngliche nachricht|message d'origine|message transf[ée]r[ée]|alkuper[äa]inen viesti|v[äa]litetty viesti|mensaje original|mensaje reenviado|messaggio originale|messaggio inoltrato|wiadomo[śs][ćc] oryginalna|przekazana wiadomo[śs][ćc]|oprindelig meddelelse|videresendt meddelelse|opprinnelig melding|videresendt melding|algne kiri|edastatud kiri|пересланий лист|вихідний лист)/i,
  /^(on|den|am|le|el|il|w dniu|dnia)\b.{4,160}(wrote|skrev|schrieb|a [ée]crit|escribi[óo]|ha scritto|napisa[łl]\(?a?\)?|kirjoitti|kirjutas|написав|написала)\s*:?\s*$/i,
  /^.{0,80}\d{1,2}[:.]\d{2}.{0,40}(skrev|wrote|schrieb|kirjoitti)\s*:?\s*$/i,
];

/** Cheap test that a line could end an attribution ("... wrote:") before the costly patterns run. */
const ATTRIBUTION_END =
  /(wrote|skrev|schrieb|crit|escribi[óo]|scritto|napisa[łl]\(?a?\)?|kirjoitti|kirjutas|написав|написала)\s*:?\s*$/i;

const HEADER_FROM = /^\*?(from|fr[åa]n|von|de|fra|l[äa]hett[äa]j[äa]|od|da|saatja|від)\s*:\*?\s*\S/i;
const HEADER_NEXT =
  /^\*?(sent|skickat|gesendet|envoy[ée]|sendt|l[äa]hetetty|date|datum|wys[łl]ano|enviado|inviato|saadetud|надіслано|to|till|an|[àa]|til|vastaanottaja|do|para|a|kellele|кому|subject|[äa]mne|betreff|objet|emne|aihe|temat|asunto|oggetto|teema|тема)\s*:/i;

/** Small print that says nothing about the matter; two cues in one paragraph mark it. */
const DISCLAIMER_CUES =
  /(confidential|intended (solely )?(for|recipient)|privileged|disclaimer|if you (have )?received this|notify the sender|delete (it|this)|unauthori[sz]ed|personal data|privacy (notice|statement|policy)|gdpr|data protection|konfidentiell|sekretess|personuppgifter|avsedd (endast )?f[öo]r|vertraulich|datenschutz|confidentiel|destinataire|confidencial|destinatario|riservat|luottamuksellinen|tietosuoja|poufn|ochrona danych|konfidentsiaal|isikuandme|конфіденційн)/gi;

const CLIENT_FOOTERS =
  /^(sent from my|skickat fr[åa]n min|gesendet von meinem|envoy[ée] de mon|enviado desde mi|inviato da|l[äa]hetetty|wys[łl]ane z|get outlook|skaffa outlook|h[äa]mta outlook)\b.*$/gim;

export function segmentBody(body: string): BodySegments {
  const lines = body.replace(/\r\n?/g, '\n').split('\n');
  const start = historyStart(lines);
  const freshLines = lines.slice(0, start);
  const quotedLines = lines.slice(start).map((line) => line.replace(/^(\s*>)+ ?/, ''));
  return { fresh: cleanSection(freshLines), quoted: cleanSection(quotedLines) };
}

function historyStart(lines: string[]): number {
  for (let index = 0; index < lines.length; index++) {
    const line = (lines[index] ?? '').trim();
    if (line.startsWith('>') && index + 1 < lines.length && (lines[index + 1] ?? '').trim().startsWith('>')) {
      return index;
    }
    if (
      (line.startsWith('-') || ATTRIBUTION_END.test(line)) &&
      HISTORY_OPENERS.some((pattern) => pattern.test(line))
    ) {
      return index;
    }
    if (HEADER_FROM.test(line)) {
      const next = lines.slice(index + 1, index + 5).map((candidate) => candidate.trim());
      if (next.some((candidate) => HEADER_NEXT.test(candidate))) return index;
    }
  }
  return lines.length;
}

function cleanSection(lines: string[]): string {
  // The "-- " delimiter (RFC 3676) starts a signature; what follows is name, title and small print.
  const signature = lines.findIndex((line) => line === '-- ' || line === '--');
  const kept = signature >= 0 ? lines.slice(0, signature) : lines;
  return kept
    .join('\n')
    .replace(CLIENT_FOOTERS, '')
    .split(/\n\s*\n/)
    .map((paragraph, index) => withoutDisclaimer(paragraph, index === 0))
    .filter((paragraph) => paragraph.trim().length > 0)
    .join('\n\n')
    .trim();
}

/**
 * Drops a short paragraph of small print, or only its small-print lines when the paragraph is long
 * or opens the message: a body written as one block must not lose its request with its disclaimer.
 */
function withoutDisclaimer(paragraph: string, opensMessage: boolean): string {
  const cues = cueCount(paragraph);
  if (cues < 2) return paragraph;
  const lines = paragraph.split('\n');
  if (!opensMessage && lines.length <= 12) return '';
  return lines.filter((line) => cueCount(line) < 2).join('\n');
}

function cueCount(text: string): number {
  return new Set((text.match(DISCLAIMER_CUES) ?? []).map((cue) => cue.toLowerCase())).size;
}
