package iso20022

// Limits of the hardened XML scanner and the decoders. Each is checked before
// the scanner allocates in proportion to the thing it bounds, so hostile
// input (billion laughs, deep nesting, huge tokens) is refused early and
// cheaply. All are far above what any legitimate message in the supported
// schemas needs.
const (
	// BodySizeMax bounds a whole message in bytes. A large multi-transaction
	// pacs.008 (1,000 transactions of about 3 KiB each) fits with room to
	// spare; the HTTP layer should apply the same bound to request bodies.
	BodySizeMax = 8 << 20

	// DepthMax bounds element nesting. The deepest path in the supported
	// schemas is about 14 levels (structured remittance inside an underlying
	// customer credit transfer); envelopes add two or three.
	DepthMax = 32

	// ElementsMax bounds the number of elements in one message: about 100
	// per transaction for 1,000 transactions.
	ElementsMax = 200_000

	// NameSizeMax bounds an element or attribute name in bytes, prefix
	// included. The longest ISO 20022 tag name is under 40 characters.
	NameSizeMax = 128

	// TextSizeMax bounds the text of one element or attribute value in bytes.
	// The longest ISO text type in these schemas is Max10KText (10,240
	// characters, at most 40 KiB in UTF-8).
	TextSizeMax = 64 << 10

	// AttrsMax bounds the attributes of one element. ISO 20022 uses one (Ccy)
	// plus namespace declarations and xsi attributes.
	AttrsMax = 16

	// NamespacesMax bounds the distinct namespace URIs in one message:
	// header, document, envelope and xsi need four.
	NamespacesMax = 16

	// EnvelopeDepthMax bounds how deep below the root element the decoder
	// looks for AppHdr and Document when a sender wraps them in an envelope of
	// its own.
	EnvelopeDepthMax = 3

	// ErrorsMax bounds the validation errors collected for one message, so
	// a file of 1,000 broken transactions cannot produce an unbounded report.
	ErrorsMax = 200
)
