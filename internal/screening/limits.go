package screening

// Limits on what the importers and the matcher accept. Each bounds memory or
// time against a malformed or hostile file or query; the values leave ample
// room over the real lists (the UN list is 2 MB with ~1,000 entries; OFAC's
// full SDN list is ~20 MB with ~18,000 entries).
const (
	// MaxListBytes bounds one list file. Parsers fail rather than truncate.
	MaxListBytes = 128 << 20
	// MaxEntries bounds the entries of one list version.
	MaxEntries = 200_000
	// MaxNamesPerEntry bounds aliases plus the primary name of one entry.
	MaxNamesPerEntry = 512
	// MaxNameBytes bounds one listed name or query name, in bytes of UTF-8.
	MaxNameBytes = 1024
	// MaxFieldBytes bounds any other field (remarks, addresses).
	MaxFieldBytes = 64 << 10
	// MaxXMLDepth bounds element nesting in the UN file (the real file
	// nests 5 deep).
	MaxXMLDepth = 16
	// MaxNameTokens bounds the tokens of one name that the matcher scores;
	// tokens beyond it are ignored (Query.Validate rejects such queries).
	MaxNameTokens = 24
	// MaxMatches bounds the matches Screen returns for one query.
	MaxMatches = 10
	// MaxEvalRows bounds an evaluation file.
	MaxEvalRows = 1_000_000
)
