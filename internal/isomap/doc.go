// Package isomap maps ISO 20022 messages to engine commands and the
// engine's results and settled history back to ISO 20022 messages. It sits
// between the codec (package iso20022), which knows the messages, and the
// shell (package httpapi), which knows the caller, the node and HTTP; it
// does no I/O of its own, so every rule here is tested without a node.
//
// Inbound (Map): a pacs.008 or pacs.009 transaction becomes a payment
// (engine.KindPay) from the caller, who must be its instructing agent; a
// pacs.004 transaction a return (engine.KindReturn) of a settled payment
// the caller received; a camt.056 transaction a cancellation
// (engine.KindCancel) of a payment the caller sent that is still held for
// compliance review. Each transaction is its own command and gets its own
// status in the pacs.002 that answers the message; the rules of each
// mapping are on credit, ret and cancellation.
//
// Statuses: ACSC settled; PDNG held for compliance review (and nothing
// more: never the list entry that matched); CANC cancelled; RJCT with the
// ISO 20022 external status reason that reasonCodes gives for the engine's
// reason, and the engine's reason name in AddtlInf ("mutua:
// insufficient_liquidity"), or with the codec's or the mapping's own
// reason for bad input, which is never submitted.
//
// Outbound: Report.Build turns a history statement into a camt.052, camt.053
// or camt.054; PaymentStatuses reports the current status of sent payments
// in a pacs.002; Returns tells a payer of settled returns in a pacs.004.
package isomap
