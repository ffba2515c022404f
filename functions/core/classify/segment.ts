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
  // Outlook, Thunderbird and webmail separators: "-----Original Message-----" and their translations.
  /^-{2,}\s*(original message|ursprungligt meddelande|forwarded message|vidarebefordrat meddelande|weitergeleitete nachricht|urspr[üu]ngliche nachricht|message d'origine|message transf[ée]r[ée]|alkuper[äa]inen viesti|v[äa]litetty viesti|mensaje original|mensaje reenviado|messaggio originale|messaggio inoltrato|wiadomo[śs][ćc] oryginalna|przekazana wiadomo[śs][ćc]|oprindelig meddelelse|videresendt meddelelse|opprinnelig melding|videresendt melding|algne kiri|edastatud kiri|пересланий лист|вихідний лист|oorspronkelijk bericht|doorgestuurd bericht|mensagem original|mensagem encaminhada|p[ůu]vodn[íi] zpr[áa]va|p[řr]eposlan[áa] zpr[áa]va|p[ôo]vodn[áa] spr[áa]va|preposlan[áa] spr[áa]va|eredeti [üu]zenet|tov[áa]bb[íi]tott [üu]zenet|mesaj original|mesaj redirec[țţt]ionat|izvorna poruka|proslije[đd]ena poruka|izvirno sporo[čc]ilo|posredovano sporo[čc]ilo|оригинално съобщение|препратено съобщение|αρχικό μήνυμα|προωθημένο μήνυμα|s[āa]kotn[ēe]j[āa] zi[ņn]a|p[āa]rs[ūu]t[īi]t[āa] zi[ņn]a|originalus lai[šs]kas|persi[ųu]stas lai[šs]kas|upprunaleg skilabo[ðd]|framsend skilabo[ðd]|teachtaireacht bhunaidh|messa[ġg]g ori[ġg]inali)/i,
  // Gmail, Apple Mail and Thunderbird attributions: "On <date>, <name> wrote:" in each language.
  /^(on|den|am|le|el|il|w dniu|dnia|op|em|dne|d[ňn]a|ng[àa]y|pe|dana|dne|на|στις|tr[ēe]|[šs]eit|þann|ar)\b.{4,160}(wrote|skrev|schrieb|a [ée]crit|escribi[óo]|ha scritto|napisa[łl]\(?a?\)?|kirjoitti|kirjutas|написав|написала|schreef|escreveu|napsal\(?a?\)?|nap[íi]sal\(?a?\)?|[íi]rta|a scris|je napisao|je napisala|je napisal\(?a?\)?|написа|έγραψε|rakst[īi]ja|ra[šs][ėe]|skrifa[ðd]i|scr[íi]obh)\s*:?\s*$/i,
  /^.{0,80}\d{1,2}[:.]\d{2}.{0,40}(skrev|wrote|schrieb|kirjoitti|schreef|escreveu|napsal|[íi]rta|написа|έγραψε|rakst[īi]ja|ra[šs][ėe]|skrifa[ðd]i)\s*:?\s*$/i,
];

/** Cheap test that a line could end an attribution ("... wrote:") before the costly patterns run. */
const ATTRIBUTION_END =
  /(wrote|skrev|schrieb|crit|escribi[óo]|scritto|napisa[łl]\(?a?\)?|kirjoitti|kirjutas|написав|написала|schreef|escreveu|napsal\(?a?\)?|nap[íi]sal\(?a?\)?|[íi]rta|a scris|napisao|napisala|napisal\(?a?\)?|написа|έγραψε|rakst[īi]ja|ra[šs][ėe]|skrifa[ðd]i|scr[íi]obh)\s*:?\s*$/i;

/**
 * Clients that put the verb inside the line ("Am … schrieb Hans <h@example.de>:", "Op … schreef …:",
 * "… ezt írta (időpont: …):", "Þann … skrifaði …:"): a line ending in a colon, with an address or a
 * time, and an attribution verb anywhere.
 */
const ATTRIBUTION_VERB =
  /(wrote|skrev|schrieb|a [ée]crit|escribi[óo]|ha scritto|napisa[łl]|kirjoitti|kirjutas|написав|написала|schreef|escreveu|napsal|nap[íi]sal|[íi]rta|a scris|napisao|napisala|napisal|написа|έγραψε|rakst[īi]ja|ra[šs][ėe]|skrifa[ðd]i|scr[íi]obh)/i;
const ADDRESS_OR_TIME = /@|\d{1,2}[:.]\d{2}/;

function isInlineAttribution(line: string): boolean {
  return (
    line.endsWith(':') && line.length <= 300 && ADDRESS_OR_TIME.test(line) && ATTRIBUTION_VERB.test(line)
  );
}

const HEADER_FROM =
  /^\*?(from|fr[åa]n|von|de|fra|l[äa]hett[äa]j[äa]|od|da|saatja|від|van|de la|felad[óo]|[šs]alje|po[šs]iljatelj|от|από|no|nuo|fr[áa]|[óo])\s*:\*?\s*\S/i;
const HEADER_NEXT =
  /^\*?(sent|skickat|gesendet|envoy[ée]|sendt|l[äa]hetetty|date|datum|wys[łl]ano|enviado|inviato|saadetud|надіслано|verzonden|verstuurd|odesl[áa]no|odoslan[ée]|elk[üu]ldve|d[áa]tum|trimis|poslano|изпратено|στάλθηκε|nos[ūu]t[īi]ts|i[šs]si[ųu]sta|sent|seolta|to|till|an|[àa]|til|vastaanottaja|do|para|a|kellele|кому|aan|komu|c[íi]mzett|c[ăa]tre|prima|prejemnik|до|προς|kam|chuig|subject|[äa]mne|betreff|objet|emne|aihe|temat|asunto|oggetto|teema|тема|onderwerp|assunto|p[řr]edm[ěe]t|predmet|t[áa]rgy|subiect|zadeva|относно|θέμα|t[ēe]ma|efni|[áa]bhar)\s*:/i;

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
    if (line.startsWith('>') && (quotedLine(lines[index + 1]) || onlyQuotedAfter(lines, index))) return index;
    if (
      (line.startsWith('-') || ATTRIBUTION_END.test(line)) &&
      HISTORY_OPENERS.some((pattern) => pattern.test(line))
    ) {
      return index;
    }
    if (isInlineAttribution(line)) return index;
    if (HEADER_FROM.test(line)) {
      const next = lines.slice(index + 1, index + 5).map((candidate) => candidate.trim());
      if (next.some((candidate) => HEADER_NEXT.test(candidate))) return index;
    }
  }
  return lines.length;
}

const quotedLine = (line: string | undefined) => (line ?? '').trim().startsWith('>');

/**
 * Whether nothing but quoted or blank lines follows: a single quoted line that ends the message
 * ("> Detta är ett automatiskt svar ...") is history as surely as a block of them. In the middle of a
 * text, one line opening with ">" may be the writer's own ("> 50 guests").
 */
function onlyQuotedAfter(lines: string[], index: number): boolean {
  return lines.slice(index + 1).every((line) => line.trim() === '' || quotedLine(line));
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
