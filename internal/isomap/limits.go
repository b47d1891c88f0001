package isomap

import "github.com/mutua-org/mutua/internal/engine"

// Limits of the mapping, named in one place. The codec bounds the message
// itself (iso20022.BodySizeMax, ElementsMax, ...); these bound what one
// message may ask of the node.
const (
	// TxsMax bounds the transactions (payments, returns, cancellations) of
	// one inbound message. They are proposed as one contiguous batch, so the
	// bound keeps a file within one log entry with room for other senders,
	// as the JSON batch bound (httpapi.PaymentBatchMax) does.
	TxsMax = 1000

	// LookbackPaymentsMax bounds the search for the original of a return or
	// cancellation that names it only by OrgnlEndToEndId: only the most
	// recent LookbackPaymentsMax payment ids of the union are examined. A
	// message that names the OrgnlUETR is matched exactly, however old.
	LookbackPaymentsMax = 10_000

	// RemittanceLenMax bounds the remittance text kept with a payment: the
	// engine's limit on text fields, which is ISO's Max140Text. Longer
	// unstructured remittance is truncated (ISO reason RR08 names the
	// practice); the full text stays with the sender.
	RemittanceLenMax = engine.TextLenMax

	// SettlementDateAheadMax is how many days after the current UTC date an
	// IntrBkSttlmDt may be: senders east of UTC are a day ahead for part of
	// the day. Mutua settles on receipt and holds no value-dated payments.
	SettlementDateAheadMax = 1

	// ReportEntriesMax bounds the entries of one camt.052, camt.053 or
	// camt.054 so that the message stays within iso20022.BodySizeMax: a
	// notification of 10,000 ordinary payments measured 17,787,983 bytes
	// (1,779 per entry), and 2,000 entries leave room for entries of up
	// to 4 KiB each.
	ReportEntriesMax = 2_000
)
