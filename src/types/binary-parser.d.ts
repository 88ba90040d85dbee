// binary-parser 2.3.0's exports map has no "types" condition, so NodeNext resolution cannot
// see its declarations (TS7016). Re-export them from the dist path until a release ships them.
declare module "binary-parser" {
  export * from "binary-parser/dist/binary_parser.js";
}
