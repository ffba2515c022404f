// lambda-shims --> the types of linkify-it-module.js: the part of linkify-it that mailparser and the tests use.

export interface LinkMatch {
  schema: string;
  index: number;
  lastIndex: number;
  raw: string;
  text: string;
  url: string;
}

export interface Linkify {
  tlds(list: string | string[], keepOld?: boolean): Linkify;
  add(schema: string, definition: unknown): Linkify;
  set(options: Record<string, unknown>): Linkify;
  pretest(text: string): boolean;
  test(text: string): boolean;
  match(text: string): LinkMatch[] | null;
}

export default function createLinkify(...args: unknown[]): Linkify;
