// Test helper: bytes that are no mail at all, as someone might hand them to the router (a file picked
// by mistake, an SMTP client sending whatever it was given).

/** A real 1x1 PNG image (89 50 4E 47 ... IEND). */
export const PIXEL_PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  'base64',
);

/** A letter typed into a text file: words a person wrote, but no header at all. */
export const PROSE = Buffer.from(
  'Dear City of Stockholm,\nwe would like to invite the Mayor to our conference in May.\nKind regards, Anna\n',
);
