// core (pure) --> classify: a company's legal form written after its name ("EU Funding Partners AB",
// "EUsøknad AS", "Müller Consulting AG"). The lexicons hold the forms that are no everyday word
// ("GmbH", "sp. z o.o.", "Kft."); these forms are everyday words once folded to lower case (Norwegian
// "AS" is English "as", Swedish "AB" German "ab", "SA" Italian "sa", "SIA" Italian "sia"), so only
// their written shape tells them apart: upper case as registered, right after a capitalised name, at the
// end of the name.

/**
 * Legal forms that the folded lexicons cannot hold, as companies write them after their name, by
 * country: AB (SE, LT), AS/ASA (NO, EE), A/S (DK), AG/KG (DE, AT, CH), SA/SAS/SARL (FR, BE, LU, ES,
 * PL, RO, GR, PT), NV (NL, BE), SpA/SRL (IT), SL/SLU (ES), OÜ (EE), SIA (LV), AD/EAD (BG), a.s./d.d.
 * (CZ, SK, HR, SI), Oyj (FI), hf/ehf (IS).
 */
const FORMS = [
  'AB',
  'AS',
  'ASA',
  'A/S',
  'AG',
  'KG',
  'SA',
  'S\\.A\\.',
  'SAS',
  'S\\.A\\.S\\.',
  'SARL',
  'NV',
  'N\\.V\\.',
  'SpA',
  'S\\.p\\.A\\.',
  'SRL',
  'SL',
  'S\\.L\\.',
  'SLU',
  'S\\.L\\.U\\.',
  'OÜ',
  'SIA',
  'AD',
  'EAD',
  'a\\.s\\.',
  'd\\.d\\.',
  'Oyj',
  'hf\\.',
  'ehf\\.',
];

/**
 * The name before the form: one to four words, each capitalised and holding a lower-case letter or a
 * digit somewhere (so that a line in capitals, "THE EU AS A WHOLE", is no company), joined by spaces,
 * "&" or "-"; the form ends the name (end of line, a comma, a closing bracket, a full stop at the end).
 */
const LEGAL_FORM = new RegExp(
  `(?:^|[\\s(,:;|])(?:\\p{Lu}[\\p{L}\\p{N}&'.-]*[\\p{Ll}\\p{N}][\\p{L}\\p{N}&'.-]*[ \\t]+(?:&[ \\t]+)?){1,4}(${FORMS.join('|')})(?=$|[\\s]*[,;|)]|[\\s]*\\.?\\s*$)`,
  'mu',
);

/** The legal form a company wrote after its name in this text, if any ("AB" of "EU Funding Partners AB"). */
export function writtenLegalForm(text: string): string | undefined {
  return LEGAL_FORM.exec(text)?.[1];
}
