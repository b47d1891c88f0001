// Package iso20022 decodes, validates and renders the ISO 20022 messages
// Mutua speaks: pacs.008, pacs.009, pacs.004 and camt.056 in; pacs.002,
// camt.052, camt.053, camt.054 and pacs.004 out.
//
// Decoding goes through a hardened XML scanner (see limits.go) that refuses
// DOCTYPE and entity declarations and caps size, depth, names, texts and
// attributes before it allocates anything in proportion to them. The scanner
// builds a compact element tree whose names and texts are substrings of one
// copy of the input; the decoders walk that tree into version-neutral Go
// structs and validate as they go, collecting every error of a message (up
// to ErrorsMax) with its element path, rule and ISO 20022 external status
// reason code, ready for a pacs.002.
//
// encoding/xml escapes rendered text and, in tests and fuzzing, serves as
// an independent oracle for the scanner. It is not on the decoding path: its
// tokenizer alone (BenchmarkEncodingXMLTokens) costs more per message than
// the whole parse-and-validate budget of 50 µs (BenchmarkParsePacs008).
//
// Amounts never pass through a float: decimal text becomes minor units with
// the currency's exponent (money.ParseAmount), and more decimals than the
// currency allows is an error, not a rounding.
package iso20022
