import { describe, expect, it } from 'vitest';
import { extractFeatures } from '../../functions/core/classify/features.js';
import { emptyInboundMail } from '../../functions/core/inbound-mail.js';
import type { InboundMail } from '../../functions/core/types.js';

const EU = { functionalAddress: 'EUinternational@stockholm.se' };

function featuresOf(parts: Partial<InboundMail>) {
  return extractFeatures(
    emptyInboundMail({ from: { name: 'Sender', address: 'a@example.org' }, ...parts }),
    EU,
  );
}

const OLD_INTERREG_THREAD = [
  'From: Projektkontoret <eu@example.org>',
  'Sent: den 2 mars 2027 14:10',
  'Subject: Interreg Baltic Sea Region partner search',
  '',
  'We are looking for partners for our Interreg project application; the call for proposals closes in May.',
].join('\n');

describe('extractFeatures', () => {
  it('lets the new text decide: quoted history under a matter of its own is a weak prior', () => {
    // Prepare
    const fresh =
      'We would be honoured to invite the Mayor to speak at our summit of European mayors in Porto.';

    // Act
    const underNewText = featuresOf({ subject: 'New topic', text: `${fresh}\n\n${OLD_INTERREG_THREAD}` });
    const bareReply = featuresOf({
      subject: 'Re: partner search',
      text: `Thanks, noted.\n\n${OLD_INTERREG_THREAD}`,
    });

    // Assess
    expect(underNewText.values.get('invite')).toBe(1);
    expect(underNewText.values.get('eu_programme')).toBeLessThanOrEqual(0.3);
    expect(bareReply.values.get('eu_programme')).toBeGreaterThanOrEqual(0.8);
  });

  it("weighs a reply's subject as the thread's history once the new text names a matter of its own", () => {
    // Prepare: a new request written above an old Interreg thread, under that thread's subject.
    const fresh =
      'A different matter: the new ambassador of Japan would like to pay a courtesy call on the Mayor in January.';

    // Act
    const newMatter = featuresOf({ subject: 'SV: Interreg project – meeting 3/12', text: fresh });
    const bareReply = featuresOf({ subject: 'SV: Interreg project – meeting 3/12', text: 'Thanks, noted.' });
    const ownSubject = featuresOf({ subject: 'Interreg project – meeting 3/12', text: fresh });

    // Assess
    expect(newMatter.values.get('courtesy_call')).toBeGreaterThanOrEqual(1);
    expect(newMatter.values.get('eu_programme')).toBeLessThanOrEqual(0.3);
    expect(bareReply.values.get('eu_programme')).toBe(1);
    expect(ownSubject.values.get('eu_programme')).toBe(1);
  });

  it("reads a reply's thanks for the thread, before it turns to another matter, as the thread's history", () => {
    // Prepare: the new text first closes the URBACT thread, then brings an invitation of its own.
    const thanks =
      'Thank you, the final report is now submitted to the URBACT secretariat, so that part is done!';
    const invitation =
      "I am also writing because our Mayor will close the network with a summit of mayors, and we would be honoured to invite Stockholm's Vice Mayor to speak at the opening.";

    // Act
    const turned = featuresOf({ subject: 'Re: URBACT final report', text: `${thanks}\n\n${invitation}` });
    const unturned = featuresOf({
      subject: 'Re: URBACT final report',
      text: `${thanks}\n\nOur Mayor will close the network with a summit of mayors.`,
    });

    // Assess
    expect(turned.values.get('invite')).toBeGreaterThanOrEqual(1);
    expect(turned.values.get('eu_programme')).toBeLessThanOrEqual(0.3);
    expect(turned.evidence.get('eu_programme')).not.toMatch(/^body:/);
    expect(unturned.values.get('eu_programme')).toBe(1);
  });

  it('weighs a decisive `other` purpose found once in the body as unconfirmed', () => {
    // Prepare
    const once = 'The delegation of the Lord Mayor asks to be received; see also our vacancy notice.';
    const twice =
      'I am applying for the vacancy of project officer; please find my CV and cover letter attached.';

    // Act
    const single = featuresOf({ subject: 'Visit', text: once });
    const corroborated = featuresOf({ subject: 'Application', text: twice });
    const inSubject = featuresOf({ subject: 'Job application', text: 'Please find my CV attached.' });

    // Assess
    expect(single.values.get('job_application')).toBeLessThanOrEqual(0.5);
    expect(corroborated.values.get('job_application')).toBeGreaterThan(1);
    expect(inSubject.values.get('job_application')).toBeGreaterThanOrEqual(1);
  });

  it("reads a forwarded letter as the matter, whatever the forwarder's note and signature name", () => {
    // Prepare: a cover note whose signature names an EU office, over a forwarded speaking invitation.
    const forwarded = [
      'Hej, skickar vidare – detta gäller finansborgarrådet.',
      'Johan Berg, Stockholms stads EU-kontor, Bryssel',
      '',
      'From: Eurocities Events <events@example.eu>',
      'Sent: Thursday, January 15, 2026 17:05',
      'Subject: Annual Conference – speaker request',
      '',
      "We would be delighted if Stockholm's Finance Commissioner could join the high-level panel on 4 June.",
    ].join('\n');

    // Act
    const forward = featuresOf({ subject: 'VB: Annual Conference – speaker request', text: forwarded });
    const reply = featuresOf({ subject: 'SV: Annual Conference – speaker request', text: forwarded });

    // Assess
    expect(forward.values.get('speaking_role')).toBeGreaterThanOrEqual(0.8);
    expect(reply.values.get('speaking_role')).toBeLessThan(0.5);
  });

  it('takes a purpose phrase of three words or more, found once, as confirmed: it is no homonym', () => {
    // Prepare: a reporter's question dense with EU words; "jag är reporter" is one phrase, found once.
    const question =
      'Jag är reporter och skriver om EU-bidraget till staden. Stämmer det att kommissionen vill ha pengarna tillbaka?';

    // Act
    const features = featuresOf({ subject: 'Fråga om EU-bidraget', text: question });

    // Assess
    expect(features.values.get('press_or_research')).toBeGreaterThanOrEqual(1);
    expect(features.values.has('purpose:confirmed-other')).toBe(true);
  });

  it("takes a company's offer, found once, as a confirmed sales pitch", () => {
    // Prepare: one offer phrase; the same words from a university, and from a company (its legal form).
    const offer = 'Vă oferim servicii de scriere a proiectelor Horizon Europe și Interreg.';

    // Act
    const fromUniversity = featuresOf({ text: `${offer}\n\nProf. Ion Pop, Universitatea din Cluj` });
    const fromCompany = featuresOf({ text: `${offer}\n\nRadu Moldovan, Consult EuroFonduri SRL` });

    // Assess
    expect(fromUniversity.values.get('sales_pitch')).toBeLessThanOrEqual(0.5);
    expect(fromUniversity.values.has('purpose:confirmed-other')).toBe(false);
    expect(fromCompany.values.get('sales_pitch')).toBeGreaterThanOrEqual(1);
    expect(fromCompany.values.has('purpose:confirmed-other')).toBe(true);
  });

  it("reads a company's legal form that is an everyday word in lower case only as written after a name", () => {
    // Prepare: Norwegian "AS" and Swedish "AB" fold to English "as" and German "ab".
    const offer = 'Vi tilbyr hjelp med LIFE-søknader og Horisont Europa.';

    // Act
    const norwegianCompany = featuresOf({ text: `${offer}\n\nSindre Halvorsen\nDaglig leder, EUsøknad AS` });
    const swedishCompany = featuresOf({ from: { name: 'EU Funding Partners AB', address: 's@example.se' } });
    const englishProse = featuresOf({ text: `${offer}\nWe see the EU AS A WHOLE as a partner, as before.` });

    // Assess
    expect(norwegianCompany.evidence.get('company_sender')).toBe('body:"AS"');
    expect(norwegianCompany.values.has('purpose:confirmed-other')).toBe(true);
    expect(swedishCompany.evidence.get('company_sender')).toBe('sender:"AB"');
    expect(swedishCompany.values.get('company_sender')).toBe(0.5);
    expect(englishProse.values.has('company_sender')).toBe(false);
    expect(englishProse.values.has('purpose:confirmed-other')).toBe(false);
  });

  it('does not let a phrase inside a longer matched phrase corroborate it', () => {
    // Prepare: "uforpligtende" and "uforpligtende møde" are both sales terms; one occurrence is one phrase.
    const once =
      'Vi søger partnere til en LIFE-ansøgning. Vil I være interesserede i et uforpligtende møde på Teams?';
    const twice = 'Vi tilbyder et uforpligtende møde og sender gerne et uforpligtende tilbud.';

    // Act
    const single = featuresOf({ subject: 'Partnersøgning', text: once });
    const corroborated = featuresOf({ subject: 'Tilbud', text: twice });

    // Assess
    expect(single.values.get('sales_pitch')).toBeLessThanOrEqual(0.5);
    expect(single.values.has('purpose:confirmed-other')).toBe(false);
    expect(corroborated.values.get('sales_pitch')).toBeGreaterThan(1);
  });

  it('does not let the same word again, in a compound or another form, confirm a purpose', () => {
    // Prepare: a partner search about youth employment names summer jobs twice; an applicant asks twice.
    const topic =
      'Hankkeen tavoitteena on parantaa nuorten työllistymistä esimerkiksi kesätyö- ja mentorointimallien ' +
      'kautta. Tukholman kokemukset kesätyöohjelmista olisivat meille arvokkaita.';
    const applicant = 'Haen kesätyötä teiltä. Ansioluetteloni on liitteenä.';

    // Act
    const partnerSearch = featuresOf({ subject: 'Kumppanihaku – Interreg Central Baltic', text: topic });
    const application = featuresOf({ subject: 'Kesätyö', text: applicant });

    // Assess
    expect(partnerSearch.values.get('job_application')).toBeLessThan(1);
    expect(partnerSearch.values.has('purpose:confirmed-other')).toBe(false);
    expect(application.values.has('purpose:confirmed-other')).toBe(true);
  });

  it('reads no evidence in a phrase right after a word that negates it', () => {
    // Act: a study trip that asks for no reception, beside one that asks for a reception.
    const noReception = featuresOf({
      text: 'Vi er 15 byplanleggere på fagtur. Vi trenger ingen mottakelse.',
    });
    const reception = featuresOf({ text: 'Vi ber om en offisiell mottakelse i rådhuset for ordføreren.' });
    const withoutInvitation = featuresOf({ text: 'Wir kommen ohne Einladung, nur als Besuchergruppe.' });

    // Assess
    const receptionConcepts = [...reception.values.keys()].filter((feature) =>
      reception.evidence.get(feature)?.includes('mottakelse'),
    );
    expect(receptionConcepts.length).toBeGreaterThan(0);
    for (const concept of receptionConcepts) {
      if (noReception.evidence.get(concept)?.includes('mottakelse')) {
        throw new Error(`${concept} read "${noReception.evidence.get(concept)}" after "ingen"`);
      }
    }
    expect(withoutInvitation.values.get('invite')).toBeUndefined();
  });

  it("reads a delegation's visit in EU vocabulary as a visit only while no EU purpose of its own is named", () => {
    // Prepare
    const visit =
      "A delegation of the parliament's committee on regional development would like to visit Stockholm " +
      'and meet the Mayor to discuss cohesion policy and the ERDF.';
    const partnerSearch = 'We are also looking for partners for our Interreg project.';

    // Act
    const visitOnly = featuresOf({ subject: 'Visit', text: visit });
    const withPartnerSearch = featuresOf({ subject: 'Visit', text: `${visit} ${partnerSearch}` });

    // Assess
    expect(visitOnly.values.get('delegation_asks_to_come_in_eu_terms')).toBe(1);
    expect(visitOnly.evidence.get('delegation_asks_to_come_in_eu_terms')).toMatch(/cohesion policy|erdf/);
    expect(withPartnerSearch.values.has('partner_search')).toBe(true);
    expect(withPartnerSearch.values.has('delegation_asks_to_come_in_eu_terms')).toBe(false);
  });

  it('keeps every folded word read, at the weight of its strongest source', () => {
    // Act
    const features = featuresOf({
      subject: 'Delegación',
      text: `Hola.\n\n${OLD_INTERREG_THREAD}`,
    });

    // Assess
    expect(features.words.get('delegacion')).toBe(1);
    expect(features.words.get('interreg')).toBeGreaterThan(0);
    expect(features.words.get('interreg')).toBeLessThan(1);
  });
});
