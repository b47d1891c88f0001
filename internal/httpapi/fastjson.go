package httpapi

// decodePayment decodes a payment body. The common shape, a flat object of
// known fields with plain printable-ASCII string values, is scanned
// directly; anything else (escapes, other types, unknown or repeated fields,
// non-ASCII text, malformed JSON) goes through encoding/json, whose answer
// and problem are the reference. A test checks that the two agree on every
// body the fast path accepts.
func decodePayment(body []byte, req *PaymentRequest) *Problem {
	if fastPayment(body, req) {
		return nil
	}
	*req = PaymentRequest{}
	return decodeJSON(body, req)
}

// Payment fields in the fast path, by bit.
const (
	fPayee = iota
	fCurrency
	fAmount
	fUETR
	fEndToEndID
	fDebtorName
	fCreditorName
	fRemittance
	fPriority
)

func paymentField(key []byte) int {
	switch string(key) {
	case "payee":
		return fPayee
	case "currency":
		return fCurrency
	case "amount":
		return fAmount
	case "uetr":
		return fUETR
	case "end_to_end_id":
		return fEndToEndID
	case "debtor_name":
		return fDebtorName
	case "creditor_name":
		return fCreditorName
	case "remittance":
		return fRemittance
	case "priority":
		return fPriority
	}
	return -1
}

func fastPayment(b []byte, req *PaymentRequest) bool {
	i := skipSpace(b, 0)
	if i >= len(b) || b[i] != '{' {
		return false
	}
	i = skipSpace(b, i+1)
	seen := 0
	if i < len(b) && b[i] == '}' {
		i++
	} else {
		for {
			ks, ke, ok := plainString(b, i)
			if !ok {
				return false
			}
			i = skipSpace(b, ke+1)
			if i >= len(b) || b[i] != ':' {
				return false
			}
			i = skipSpace(b, i+1)
			vs, ve, ok := plainString(b, i)
			if !ok {
				return false
			}
			f := paymentField(b[ks:ke])
			if f < 0 || seen&(1<<f) != 0 {
				return false
			}
			seen |= 1 << f
			v := b[vs:ve]
			switch f {
			case fPayee:
				req.Payee = string(v)
			case fCurrency:
				req.Currency = string(v)
			case fAmount:
				req.Amount.raw = append(req.Amount.raw[:0], b[vs-1:ve+1]...)
			case fUETR:
				req.UETR = string(v)
			case fEndToEndID:
				req.EndToEndID = string(v)
			case fDebtorName:
				req.DebtorName = string(v)
			case fCreditorName:
				req.CreditorName = string(v)
			case fRemittance:
				req.Remittance = string(v)
			case fPriority:
				req.Priority = string(v)
			}
			i = skipSpace(b, ve+1)
			if i < len(b) && b[i] == ',' {
				i = skipSpace(b, i+1)
				continue
			}
			if i < len(b) && b[i] == '}' {
				i++
				break
			}
			return false
		}
	}
	return skipSpace(b, i) == len(b)
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// plainString reports the bounds [start, end) of a JSON string at b[i]
// that needs no unescaping: printable ASCII without '"' or '\'. end is the
// index of the closing quote.
func plainString(b []byte, i int) (start, end int, ok bool) {
	if i >= len(b) || b[i] != '"' {
		return 0, 0, false
	}
	start = i + 1
	for j := start; j < len(b); j++ {
		c := b[j]
		switch {
		case c == '"':
			return start, j, true
		case c < 0x20 || c > 0x7e || c == '\\':
			return 0, 0, false
		}
	}
	return 0, 0, false
}
