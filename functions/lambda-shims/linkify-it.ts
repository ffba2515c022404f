// lambda-shims --> linkify-it, built on first use. mailparser builds its linkifier when it is imported:
// the full list of top-level domains compiled into regular expressions, about 30 ms of every cold start.
// It is used only to make links in HTML made from text, which mailroute never asks for (skipTextLinks).
// The setup calls made before first use (tlds, add, set) are replayed in order on the real linkifier.
import createLinkify, { type Linkify } from './linkify-it-module.js';

const SETUP_METHODS = new Set<PropertyKey>(['tlds', 'add', 'set']);

type Setup = (linkify: Linkify) => void;

export default function lazyLinkify(...args: unknown[]): Linkify {
  const setup: Setup[] = [];
  let real: Linkify | undefined;
  const build = (): Linkify => {
    if (!real) {
      real = createLinkify(...args);
      for (const step of setup) step(real);
    }
    return real;
  };
  const standIn: Linkify = new Proxy({} as Linkify, {
    get(_, property) {
      if (!real && SETUP_METHODS.has(property)) {
        return (...values: unknown[]) => {
          setup.push((linkify) =>
            (linkify[property as keyof Linkify] as (...a: unknown[]) => unknown)(...values),
          );
          return standIn;
        };
      }
      const linkify = build();
      const value: unknown = Reflect.get(linkify, property);
      if (typeof value !== 'function') return value;
      // Setup methods return the linkifier for chaining: the stand-in, so that callers keep using it.
      return (...values: unknown[]) => {
        const result: unknown = value.apply(linkify, values);
        return result === linkify ? standIn : result;
      };
    },
  });
  return standIn;
}
