// core (pure) --> parse: text that was written in UTF-8 but labelled Latin-1 or windows-1252 (a
// common client and gateway fault) reads as "borgmÃ¤staren"; decoded again as UTF-8 it is what the
// sender wrote. Only a text whose every character maps back to one byte and whose bytes are valid
// UTF-8 is changed, so genuine Latin-1 text (a lone "é" is not valid UTF-8) is left as it is.
// Text written in windows-1252 but labelled ISO-8859-x holds C1 control characters where the sender
// typed a dash or a quotation mark ("Absence du bureau \u0096 Re: …"): nobody writes those, so they are
// read as windows-1252, as browsers read Latin-1.

/** windows-1252's characters for the bytes 0x80-0x9F, where it differs from Latin-1. */
const WINDOWS_1252_HIGH: Readonly<Record<string, number>> = {
  '€': 0x80,
  '‚': 0x82,
  ƒ: 0x83,
  '„': 0x84,
  '…': 0x85,
  '†': 0x86,
  '‡': 0x87,
  ˆ: 0x88,
  '‰': 0x89,
  Š: 0x8a,
  '‹': 0x8b,
  Œ: 0x8c,
  Ž: 0x8e,
  '‘': 0x91,
  '’': 0x92,
  '“': 0x93,
  '”': 0x94,
  '•': 0x95,
  '–': 0x96,
  '—': 0x97,
  '˜': 0x98,
  '™': 0x99,
  š: 0x9a,
  '›': 0x9b,
  œ: 0x9c,
  ž: 0x9e,
  Ÿ: 0x9f,
};

/** A UTF-8 lead byte read as Latin-1/windows-1252, then a continuation byte read the same way. */
const MISREAD_SEQUENCE = /[\u00c2-\u00f4][\u0080-\u00bf€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ]/gu;
/** Fewer than this many and the text may be a name such as "Ãlvaro" written oddly: leave it. */
const MIN_MISREAD_SEQUENCES = 2;

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** The text as its sender wrote it when it was decoded with the wrong charset (either fault above). */
export function repairMisdecodedText(text: string): string {
  return readControlsAsWindows1252(repairMisreadUtf8(text));
}

const WINDOWS_1252_BY_BYTE = new Map(
  Object.entries(WINDOWS_1252_HIGH).map(([character, byte]) => [byte, character]),
);

function readControlsAsWindows1252(text: string): string {
  return text.replace(
    /[\u0080-\u009f]/gu,
    (control) => WINDOWS_1252_BY_BYTE.get(control.charCodeAt(0)) ?? ' ',
  );
}

/** The text as its sender wrote it when it is UTF-8 misread as Latin-1; otherwise the text unchanged. */
function repairMisreadUtf8(text: string): string {
  const sequences = text.match(MISREAD_SEQUENCE);
  if (!sequences || sequences.length < MIN_MISREAD_SEQUENCES) return text;
  const bytes = new Uint8Array(text.length);
  let length = 0;
  for (const character of text) {
    const code = character.codePointAt(0)!;
    const byte = code <= 0xff ? code : WINDOWS_1252_HIGH[character];
    if (byte === undefined) return text;
    bytes[length++] = byte;
  }
  try {
    return strictUtf8.decode(bytes.subarray(0, length));
  } catch {
    return text;
  }
}
