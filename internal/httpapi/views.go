package httpapi

import (
	"strconv"
	"unicode/utf8"

	"github.com/mutua-org/mutua/internal/engine"
	"github.com/mutua-org/mutua/internal/history"
	"github.com/mutua-org/mutua/internal/money"
)

// Request bodies. Every field the API accepts is here; a body with any
// other field is refused (unknown_field).

// PaymentRequest is a payment from the caller (always the payer) to Payee.
type PaymentRequest struct {
	Payee        string  `json:"payee" required:"true" doc:"participant id (BIC) of the payee" example:"SBININBBXXX"`
	Currency     string  `json:"currency" required:"true" doc:"ISO 4217 code of an enabled currency" example:"INR"`
	Amount       Decimal `json:"amount" required:"true" doc:"decimal text in the currency's major unit, at most its exponent's decimals" example:"125000.50"`
	UETR         string  `json:"uetr,omitempty" doc:"end-to-end transaction reference, a UUID version 4; derived from the idempotency key when absent" example:"8a562c67-ca16-48ba-b074-65581be6f001"`
	EndToEndID   string  `json:"end_to_end_id,omitempty" doc:"the sender's reference, up to 35 characters" example:"INV-2024-0815"`
	DebtorName   string  `json:"debtor_name,omitempty" doc:"the ordering customer, up to 140 characters" example:"Shenzhen Huaxin Electronics Co., Ltd."`
	CreditorName string  `json:"creditor_name,omitempty" doc:"the beneficiary customer, up to 140 characters" example:"Pune Precision Castings Pvt. Ltd."`
	Remittance   string  `json:"remittance,omitempty" doc:"unstructured remittance information, up to 140 characters" example:"INV 2024-0815 40 MT copper cathodes CIF Nhava Sheva"`
	Priority     string  `json:"priority,omitempty" enum:"normal,high,urgent" doc:"settlement priority; normal when absent"`
}

// PaymentBatchRequest carries up to PaymentBatchMax payments. Payment i gets
// the idempotency key "<Idempotency-Key>:<i>".
type PaymentBatchRequest struct {
	Payments []PaymentRequest `json:"payments" required:"true" doc:"the payments, applied in order inside one log entry"`
}

// ParticipantRequest registers a member institution.
type ParticipantRequest struct {
	ID      string   `json:"id" required:"true" doc:"BIC of the institution (8 or 11 characters)" example:"ICBKCNBJXXX"`
	Name    string   `json:"name" required:"true" doc:"legal name, up to 140 characters" example:"Industrial and Commercial Bank of China"`
	LEI     string   `json:"lei,omitempty" doc:"ISO 17442 legal entity identifier with valid check digits"`
	Country string   `json:"country" required:"true" doc:"ISO 3166-1 alpha-2 country code" example:"CN"`
	Roles   []string `json:"roles,omitempty" enum:"settlement,issuer,fx_provider" doc:"roles; settlement when absent"`
}

// CurrencyRequest enables a currency with its issuer.
type CurrencyRequest struct {
	Code   string `json:"code" required:"true" doc:"ISO 4217 code" example:"CNY"`
	Issuer string `json:"issuer" required:"true" doc:"participant id of the issuer (normally the central bank of issue)" example:"PBOCCNBJXXX"`
}

// AccountRequest opens a participant's account in a currency.
type AccountRequest struct {
	Currency string  `json:"currency" required:"true" doc:"ISO 4217 code of an enabled currency" example:"CNY"`
	Floor    Decimal `json:"floor,omitempty" doc:"lowest allowed available balance, decimal text; below zero is a credit line; 0 when absent" example:"0"`
	Ceiling  Decimal `json:"ceiling,omitempty" doc:"highest allowed balance, decimal text; none when absent"`
}

// LimitsRequest changes an account's floor and ceiling.
type LimitsRequest struct {
	Floor   Decimal `json:"floor" required:"true" doc:"lowest allowed available balance, decimal text; below zero is a credit line" example:"-1000000.00"`
	Ceiling Decimal `json:"ceiling,omitempty" doc:"highest allowed balance, decimal text; none when absent"`
}

// FundingRequest moves money into (funding) or out of (defunding) a
// participant's account through the currency's issuer.
type FundingRequest struct {
	Participant string  `json:"participant" doc:"participant id; a participant's own defunding may omit it" example:"ICBKCNBJXXX"`
	Currency    string  `json:"currency" required:"true" doc:"ISO 4217 code" example:"CNY"`
	Amount      Decimal `json:"amount" required:"true" doc:"decimal text in the currency's major unit" example:"50000000.00"`
	Remittance  string  `json:"remittance,omitempty" doc:"reference, up to 140 characters"`
}

// TokenRequest issues an API token.
type TokenRequest struct {
	Participant string `json:"participant,omitempty" doc:"participant the token acts for; an operator token when absent" example:"ICBKCNBJXXX"`
	Name        string `json:"name" required:"true" doc:"who or what uses the token, up to 140 characters" example:"treasury back office"`
}

// Response bodies.

// Currency is an enabled currency.
type Currency struct {
	Code     string `json:"code" doc:"ISO 4217 code"`
	Numeric  int    `json:"numeric" doc:"ISO 4217 numeric code"`
	Exponent int    `json:"exponent" doc:"minor-unit digits"`
	Name     string `json:"name"`
	Issuer   string `json:"issuer" doc:"participant id of the issuer"`
}

// CurrencyList is the enabled currencies.
type CurrencyList struct {
	Currencies []Currency `json:"currencies"`
}

// Participant is a member institution.
type Participant struct {
	ID      string   `json:"id"`
	Name    string   `json:"name"`
	LEI     string   `json:"lei,omitempty"`
	Country string   `json:"country"`
	Roles   []string `json:"roles"`
	Status  string   `json:"status" enum:"active,suspended"`
}

// ParticipantList is a list of participants.
type ParticipantList struct {
	Participants []Participant `json:"participants"`
}

// Account is a participant's balance in one currency. Amounts are decimal
// text; Balance and Available may be negative.
type Account struct {
	Participant    string `json:"participant"`
	Currency       string `json:"currency"`
	Balance        string `json:"balance" doc:"posted credits minus posted debits"`
	Available      string `json:"available" doc:"balance minus pending debits"`
	DebitsPosted   string `json:"debits_posted"`
	CreditsPosted  string `json:"credits_posted"`
	DebitsPending  string `json:"debits_pending"`
	CreditsPending string `json:"credits_pending"`
	Floor          string `json:"floor" doc:"lowest allowed available balance (below zero: a credit line)"`
	Ceiling        string `json:"ceiling,omitempty" doc:"highest allowed balance, if any"`
	Issuance       bool   `json:"issuance" doc:"the issuer's issuance account, which may go negative"`
}

// AccountList is a participant's accounts in currency order.
type AccountList struct {
	Accounts []Account `json:"accounts"`
}

// Payment is a payment as its payer or payee sees it.
type Payment struct {
	ID             uint64 `json:"id" doc:"payment id, assigned in log order"`
	UETR           string `json:"uetr,omitempty" doc:"end-to-end transaction reference (UUID v4)"`
	Kind           string `json:"kind" enum:"pay,reserve,fund,defund,linked"`
	Status         string `json:"status" enum:"received,held,queued,pending,settled,rejected,cancelled,expired"`
	Payer          string `json:"payer" doc:"debited participant (for funding: the issuer)"`
	Payee          string `json:"payee" doc:"credited participant (for defunding: the issuer)"`
	Currency       string `json:"currency"`
	Amount         string `json:"amount" doc:"decimal text"`
	Priority       string `json:"priority,omitempty" enum:"normal,high,urgent"`
	EndToEndID     string `json:"end_to_end_id,omitempty"`
	DebtorName     string `json:"debtor_name,omitempty"`
	CreditorName   string `json:"creditor_name,omitempty"`
	Remittance     string `json:"remittance,omitempty"`
	IdempotencyKey string `json:"idempotency_key,omitempty" doc:"the sender's key; shown to the sender only"`
	CreatedAt      string `json:"created_at" doc:"log time of acceptance, RFC 3339"`
	UpdatedAt      string `json:"updated_at" doc:"log time of the last transition, RFC 3339"`
}

// PaymentPage is one page of a payment listing.
type PaymentPage struct {
	Payments   []Payment `json:"payments"`
	NextCursor string    `json:"next_cursor,omitempty" doc:"pass as cursor for the next page; absent on the last page"`
}

// PaymentBatchResult answers a payment batch, one item per payment in order.
type PaymentBatchResult struct {
	Accepted int         `json:"accepted" doc:"payments accepted (settled, pending or replayed)"`
	Rejected int         `json:"rejected" doc:"payments rejected"`
	Results  []BatchItem `json:"results"`
}

// BatchItem is the outcome of one payment of a batch: a payment or a problem.
type BatchItem struct {
	Index   int      `json:"index"`
	Payment *Payment `json:"payment,omitempty"`
	Problem *Problem `json:"problem,omitempty"`
}

// Statement is an account's booked entries over [from, to).
type Statement struct {
	Participant    string           `json:"participant"`
	Currency       string           `json:"currency"`
	From           string           `json:"from,omitempty" doc:"start of the period (inclusive), RFC 3339"`
	To             string           `json:"to,omitempty" doc:"end of the period (exclusive), RFC 3339"`
	OpeningBalance string           `json:"opening_balance"`
	ClosingBalance string           `json:"closing_balance"`
	Entries        []StatementEntry `json:"entries"`
	More           bool             `json:"more" doc:"the period has more entries than one page holds (10,000): ask again with cursor=next_cursor"`
	NextCursor     string           `json:"next_cursor,omitempty" doc:"when more: the cursor parameter of the next page, whose opening balance is this page's closing balance"`
}

// StatementEntry is one booked posting.
type StatementEntry struct {
	BookedAt     string `json:"booked_at"`
	Payment      uint64 `json:"payment" doc:"payment id"`
	Kind         string `json:"kind" enum:"pay,reserve,fund,defund,linked"`
	Direction    string `json:"direction" enum:"debit,credit"`
	Amount       string `json:"amount"`
	Counterparty string `json:"counterparty" doc:"participant id on the other side"`
	BalanceAfter string `json:"balance_after"`
}

// Token is an API token as listed; Token (the secret) is present only in the
// answer that issued it.
type Token struct {
	ID          string `json:"id"`
	Token       string `json:"token,omitempty" doc:"the bearer token, shown once at creation"`
	Participant string `json:"participant,omitempty" doc:"absent for operator tokens"`
	Role        string `json:"role" enum:"operator,participant"`
	Name        string `json:"name"`
	CreatedAt   string `json:"created_at"`
	Revoked     bool   `json:"revoked"`
	RevokedAt   string `json:"revoked_at,omitempty"`
}

// TokenList is every token, revoked ones included, without secrets.
type TokenList struct {
	Tokens []Token `json:"tokens"`
}

// Me describes the caller.
type Me struct {
	TokenID     string `json:"token_id"`
	Name        string `json:"name"`
	Role        string `json:"role" enum:"operator,participant"`
	Participant string `json:"participant,omitempty"`
}

// Status is the node's state, for operators.
type Status struct {
	Leader           bool   `json:"leader"`
	Term             uint64 `json:"term"`
	Applied          uint64 `json:"applied" doc:"last log index applied"`
	Committed        uint64 `json:"committed"`
	Recorded         uint64 `json:"recorded" doc:"last log index in the settled history"`
	SnapshotIndex    uint64 `json:"snapshot_index"`
	LogTime          string `json:"log_time,omitempty" doc:"time of the last applied entry"`
	Digest           string `json:"digest,omitempty" doc:"SHA-256 over the canonical engine state, hex; with ?digest=true"`
	Participants     int    `json:"participants"`
	Accounts         int    `json:"accounts"`
	Payments         uint64 `json:"payments" doc:"payment ids issued"`
	PendingTransfers int    `json:"pending_transfers"`
}

// Views from engine and history values.

var priorityNames = [...]string{"normal", "high", "urgent"}

func priorityName(p uint8) string {
	if int(p) < len(priorityNames) {
		return priorityNames[p]
	}
	return "priority(" + strconv.Itoa(int(p)) + ")"
}

func parsePriority(s string) (uint8, bool) {
	switch s {
	case "", "normal":
		return engine.PriorityNormal, true
	case "high":
		return engine.PriorityHigh, true
	case "urgent":
		return engine.PriorityUrgent, true
	}
	return 0, false
}

var roleNames = []struct {
	bit  uint8
	name string
}{{engine.RoleSettlement, "settlement"}, {engine.RoleIssuer, "issuer"}, {engine.RoleFXProvider, "fx_provider"}}

func participantView(p *engine.Participant) Participant {
	v := Participant{ID: p.ID, Name: p.Name, LEI: p.LEI, Country: p.Country, Roles: []string{}, Status: "active"}
	for _, r := range roleNames {
		if p.Roles&r.bit != 0 {
			v.Roles = append(v.Roles, r.name)
		}
	}
	if p.Suspended {
		v.Status = "suspended"
	}
	return v
}

func currencyView(c *engine.Currency, issuer string) Currency {
	return Currency{Code: c.Code, Numeric: int(c.Numeric), Exponent: int(c.Exponent), Name: c.Name, Issuer: issuer}
}

// signed returns a − b as sign and magnitude.
func signed(a, b money.Uint128) (bool, money.Uint128) {
	if a.Cmp(b) >= 0 {
		v, _ := a.Sub(b)
		return false, v
	}
	v, _ := b.Sub(a)
	return true, v
}

func accountView(a *engine.AccountView) Account {
	exp := a.Currency.Exponent
	f := func(v money.Uint128) string { return money.FormatSigned(false, v, exp) }
	neg, bal := a.Balance()
	out, _ := a.DebitsPosted.Add(a.DebitsPending)
	aneg, avail := signed(a.CreditsPosted, out)
	v := Account{
		Participant:    a.Participant,
		Currency:       a.Currency.Code,
		Balance:        money.FormatSigned(neg, bal, exp),
		Available:      money.FormatSigned(aneg, avail, exp),
		DebitsPosted:   f(a.DebitsPosted),
		CreditsPosted:  f(a.CreditsPosted),
		DebitsPending:  f(a.DebitsPending),
		CreditsPending: f(a.CreditsPending),
		Floor:          formatSigned64(a.Floor, exp),
		Issuance:       a.Unbounded,
	}
	if a.Unbounded {
		v.Floor = ""
	}
	if a.HasCeiling {
		v.Ceiling = money.FormatAmount(a.Ceiling, exp)
	}
	return v
}

func formatSigned64(v int64, exp uint8) string {
	if v < 0 {
		return "-" + money.FormatAmount(uint64(-v), exp)
	}
	return money.FormatAmount(uint64(v), exp)
}

// paymentView renders a history record for the caller who.
func paymentView(p *history.Payment, who Principal) Payment {
	v := commandPayment(&p.Command, who)
	v.ID, v.Status, v.Payer, v.Payee = p.ID, p.Status.String(), p.From, p.To
	v.CreatedAt, v.UpdatedAt = formatTime(p.CreatedNs), formatTime(p.UpdatedNs)
	return v
}

// commandPayment renders what a payment's command says, for the caller who.
// Only the sender sees its idempotency key (an operator sees every key).
func commandPayment(c *engine.Command, who Principal) Payment {
	v := Payment{
		Kind:         c.Kind.String(),
		Currency:     c.Currency,
		EndToEndID:   c.EndToEndID,
		DebtorName:   c.DebtorName,
		CreditorName: c.CreditorName,
		Remittance:   c.Remittance,
	}
	if cur, known := money.Lookup(c.Currency); known {
		v.Amount = money.FormatAmount(uint64(c.Amount), cur.Exponent)
	}
	if c.UETR != [16]byte{} {
		v.UETR = formatUUID(c.UETR)
	}
	if c.Kind == engine.KindPay || c.Kind == engine.KindReserve {
		v.Priority = priorityName(c.Priority)
	}
	if who.Operator() || who.Participant == c.Participant && c.Kind != engine.KindFund {
		v.IdempotencyKey = c.Key
	}
	return v
}

// appendJSONString appends s as a JSON string, escaping as encoding/json
// does (HTML-safe).
func appendJSONString(b []byte, s string) []byte {
	const hexDigits = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// appendPayment appends v as JSON, byte for byte what encoding/json writes
// (a test checks it): the payment path writes one per request.
func appendPayment(b []byte, v *Payment) []byte {
	b = append(b, `{"id":`...)
	b = strconv.AppendUint(b, v.ID, 10)
	str := func(b []byte, name, s string, omitEmpty bool) []byte {
		if omitEmpty && s == "" {
			return b
		}
		b = append(b, ',', '"')
		b = append(b, name...)
		b = append(b, '"', ':')
		return appendJSONString(b, s)
	}
	b = str(b, "uetr", v.UETR, true)
	b = str(b, "kind", v.Kind, false)
	b = str(b, "status", v.Status, false)
	b = str(b, "payer", v.Payer, false)
	b = str(b, "payee", v.Payee, false)
	b = str(b, "currency", v.Currency, false)
	b = str(b, "amount", v.Amount, false)
	b = str(b, "priority", v.Priority, true)
	b = str(b, "end_to_end_id", v.EndToEndID, true)
	b = str(b, "debtor_name", v.DebtorName, true)
	b = str(b, "creditor_name", v.CreditorName, true)
	b = str(b, "remittance", v.Remittance, true)
	b = str(b, "idempotency_key", v.IdempotencyKey, true)
	b = str(b, "created_at", v.CreatedAt, false)
	b = str(b, "updated_at", v.UpdatedAt, false)
	return append(b, '}')
}
