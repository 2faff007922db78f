// Kept equal to package.json's version by test/unit/version.test.ts (a JSON import would not
// survive every bundler the same way).
export const version = '0.1.0'
