// lambda-shims --> the real linkify-it, for linkify-it.ts. Imported by path, not by package name, because
// the Lambda bundle aliases the name `linkify-it` to linkify-it.ts.
export { default } from '../../node_modules/linkify-it/index.mjs';
