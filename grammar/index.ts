// The public surface of the .sid front end. Everything outside grammar/ imports from here only.
export { parseSid, parseExpression } from './parse.js';
export { printSid, formatSid, printExpression } from './printer.js';
export { tokenize, type SidToken, type SidTokenKind } from './lexer.js';
export * from './ast.js';
export { MAX_NESTING } from './parser.js';
