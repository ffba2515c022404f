// core (pure) --> the data that is compiled or trained at build time (the classifier's lexicons and model,
// the automated-mail phrases), read from JSON files beside the module that uses it. In the Lambda the files
// are not in the bundle: the router function ships them beside it (infra/constructs/router-function.ts,
// SHIPPED_TABLE_PATHS), where the same name relative to `import.meta.url`, then the bundle's, finds them.
// Reading a file and JSON.parse take a few milliseconds; V8 compiling the same data as literals in the
// bundle (non-Latin text as \uXXXX escapes of the ASCII bundle, over 500 KB) took far longer, at every cold start.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * The parsed file. A missing or unreadable file is an error that names the file and where it comes from:
 * nothing works without it, and a Lambda without it fails at init, so its messages are retried and then
 * kept in the dead-letter queue, never routed without it.
 */
export function readShippedTable(url: URL, what: string, writtenBy: string): unknown {
  const path = fileURLToPath(url);
  let text: string;
  try {
    text = readFileSync(url, 'utf8');
  } catch (error) {
    throw new Error(
      `${what} ${path} cannot be read (${(error as Error).message}): it ships beside the code ` +
        `(infra/constructs/router-function.ts, SHIPPED_TABLE_PATHS); in the repository \`${writtenBy}\` writes it`,
    );
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new Error(`${what} ${path} is not JSON (${(error as Error).message}): \`${writtenBy}\` writes it`);
  }
}

/**
 * `value` as the JSON text of a shipped table: every character outside ASCII written as a `\uXXXX` escape.
 * Node reads an all-ASCII file as one-byte text, without decoding UTF-8 into two-byte strings: for the
 * compiled phrases (33 languages) that read took twice as long as the escaped file's (~30 M instructions of
 * a cold start for the lexicons and the phrases together). JSON.parse gives the same strings.
 */
export function shippedTableJson(value: unknown, indent?: number): string {
  return `${JSON.stringify(value, null, indent).replace(
    /[\u0080-\uffff]/g,
    (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`,
  )}\n`;
}
