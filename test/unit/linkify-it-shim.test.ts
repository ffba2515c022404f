import { describe, expect, it } from 'vitest';
import lazyLinkify from '../../functions/lambda-shims/linkify-it.js';
import createLinkify, { type Linkify } from '../../functions/lambda-shims/linkify-it-module.js';

/** mailparser's setup of its linkifier (node_modules/mailparser/dist/esm/mail-parser.js), shortened. */
function configure(linkify: Linkify): Linkify {
  linkify
    .tlds(['se', 'eu', 'org', 'com'])
    .tlds('onion', true)
    .add('git:', 'http:')
    .add('ftp:', null)
    .set({ fuzzyIP: true, fuzzyLink: true, fuzzyEmail: true });
  return linkify;
}

const TEXT =
  'Programmet finns på www.stockholm.se/eu och https://europa.eu/regions, ' +
  'kod på git://example.org/repo.git, inte ftp://files.example.com, anmälan till eu@stockholm.se, ' +
  'dold tjänst abcdef.onion och 192.168.1.10.';

describe('the lazy linkify-it stand-in', () => {
  it('finds the same links as linkify-it set up the same way', () => {
    const real = configure(createLinkify());
    const standIn = configure(lazyLinkify());

    expect(standIn.pretest(TEXT)).toBe(real.pretest(TEXT));
    expect(standIn.test(TEXT)).toBe(real.test(TEXT));
    expect(standIn.match(TEXT)).toEqual(real.match(TEXT));
  });

  it('keeps setup made after first use, and returns itself for chaining', () => {
    const real = configure(createLinkify());
    const standIn = configure(lazyLinkify());
    standIn.match(TEXT);

    const chained = standIn.add('@', null);
    real.add('@', null);

    expect(chained).toBe(standIn);
    expect(standIn.match(TEXT)).toEqual(real.match(TEXT));
  });
});
