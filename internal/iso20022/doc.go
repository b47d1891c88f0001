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
// Inbound: Parse (or ParseString, ReadBody for a request body) returns a
// Message with one of CreditTransfer (pacs.008, pacs.009), PaymentReturn
// (pacs.004), CancellationRequest (camt.056), StatusReport (pacs.002) or
// AccountReport (camt.052/053/054), and Errors: each Error has an element
// Path, a Rule, an ISO Reason code and the transaction it belongs to
// (Errors.ForTx, Errors.Fatal). StatusReportFor turns a message and its
// errors into the skeleton of the pacs.002 that answers it.
//
// Outbound: RenderStatusReport (pacs.002.001.10), RenderPaymentReturn
// (pacs.004.001.09) and RenderAccountReport (camt.052/053/054.001.08) render
// the same structs, and parse their output again before returning it.
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
