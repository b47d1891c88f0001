package engine

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// Kind names a command.
type Kind uint8

// Command kinds. Numbers are part of the log format and never change.
const (
	KindAddParticipant  Kind = 1 // operator: register a member institution
	KindSetSuspended    Kind = 2 // operator: suspend or reinstate a participant
	KindEnableCurrency  Kind = 3 // operator: enable a currency and name its issuer
	KindOpenAccount     Kind = 4 // operator: open a participant's account in a currency
	KindSetLimits       Kind = 5 // operator: change an account's floor and ceiling
	KindFund            Kind = 6 // issuer → participant: money enters
	KindDefund          Kind = 7 // participant → issuer: money leaves
	KindPay             Kind = 8 // payer → payee, gross settlement
	KindReserve         Kind = 9 // payer → payee, pending until posted or voided
	KindPost            Kind = 10
	KindVoid            Kind = 11
	KindLinked          Kind = 12 // operator: transfers that apply whole or not at all
	KindIssueToken      Kind = 13 // operator: register an API token's hash
	KindRevokeToken     Kind = 14 // operator: revoke an API token
	KindSetScreening    Kind = 15 // operator: activate a sanctions list set and threshold
	KindRelease         Kind = 16 // operator: release a held payment to settlement
	KindRejectHeld      Kind = 17 // operator: reject a held payment
	KindCancel          Kind = 18 // payer: cancel its own payment that has not settled (camt.056)
	KindReturn          Kind = 19 // payee: return a settled payment, in full or part (pacs.004)
	kindCount                = 20 // one more than the largest kind
	commandFormatV1     byte = 1
	transferSpecFieldsN      = 4
)

var kindNames = [...]string{
	KindAddParticipant: "add_participant",
	KindSetSuspended:   "set_suspended",
	KindEnableCurrency: "enable_currency",
	KindOpenAccount:    "open_account",
	KindSetLimits:      "set_limits",
	KindFund:           "fund",
	KindDefund:         "defund",
	KindPay:            "pay",
	KindReserve:        "reserve",
	KindPost:           "post",
	KindVoid:           "void",
	KindLinked:         "linked",
	KindIssueToken:     "issue_token",
	KindRevokeToken:    "revoke_token",
	KindSetScreening:   "set_screening",
	KindRelease:        "release",
	KindRejectHeld:     "reject_held",
	KindCancel:         "cancel",
	KindReturn:         "return",
}

func (k Kind) String() string {
	if k > 0 && int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("kind(%d)", k)
}

// Role bits of a participant.
const (
	RoleSettlement uint8 = 1 << iota // holds settlement accounts and pays
	RoleIssuer                       // central bank: may issue a currency
	RoleFXProvider                   // quotes FX and holds accounts in several currencies
)

// Priority of a payment.
const (
	PriorityNormal uint8 = 0
	PriorityHigh   uint8 = 1
	PriorityUrgent uint8 = 2
)

// TransferSpec is one member of a linked batch.
type TransferSpec struct {
	Debit    string // participant id
	Credit   string // participant id
	Currency string
	Amount   int64
}

// Command is one instruction to the engine. Which fields matter depends on
// Kind; the others stay zero and are not encoded.
type Command struct {
	Kind Kind

	// Participant is the subject of operator commands and the paying side of
	// Fund (the receiver), Defund (the sender) and Pay/Reserve (the payer).
	Participant string
	Payee       string
	Currency    string
	// PayeeCurrency, if set, names the currency of the payee's account to
	// credit. It must equal Currency: a cross-currency payment is two legs
	// through an FX provider, never a silent conversion.
	PayeeCurrency string
	Amount        int64

	// Idempotency: Key is the sender's key, scoped to Participant.
	Key        string
	UETR       [16]byte
	EndToEndID string

	DebtorName   string
	CreditorName string
	// Ultimate parties, when they differ from debtor and creditor.
	UltimateDebtorName   string
	UltimateCreditorName string
	Remittance           string
	Priority             uint8

	// Screening is the sanctions screening decision made for a payment
	// before it was proposed. It travels in the log so that replay repeats
	// the decision, and it is encoded last and left out of the idempotency
	// content hash: a retry screened against newer lists is still a retry.
	Screening Screening

	// Reserve: how long funds are held (nanoseconds of log time).
	TimeoutNs int64
	// Post/Void: the pending transfer, named by its payment id.
	PendingID uint64

	// AddParticipant.
	Name    string
	LEI     string
	Country string
	Roles   uint8
	// SetSuspended.
	Suspended bool
	// OpenAccount / SetLimits.
	Floor      int64
	Ceiling    uint64
	HasCeiling bool

	Transfers []TransferSpec

	// IssueToken / RevokeToken: TokenID is the public half of a token;
	// TokenHash the SHA-256 of its secret half (the secret itself never
	// enters the log). Participant "" with Kind IssueToken is an operator
	// token; Name labels the user it belongs to.
	TokenID   string
	TokenHash [32]byte

	// SetScreening: the list set id (in Name) and the hold threshold.
	Threshold uint16
	FourEyes  bool
}

// Screening is the evidence of one payment's sanctions screening: which list
// set was used and the best match over all its parties. The engine holds the
// payment when Score reaches the active threshold.
type Screening struct {
	Lists  string // id of the active list set the parties were screened against
	Score  uint16 // best match score, 0 to 1000
	Party  string // which party matched best: debtor, creditor, ...
	Ref    string // the list entry's reference, e.g. KPe.001
	Listed string // the listed name that matched
}

// Size limits on command fields: each bounds memory and log space per command.
const (
	KeyLenMax       = 64   // idempotency key, as Stripe and most PSPs allow
	TextLenMax      = 140  // names and remittance, as ISO 20022 Max140Text
	EndToEndLenMax  = 35   // ISO 20022 Max35Text
	IDLenMax        = 11   // BIC11
	LinkedMax       = 8190 // transfers in one linked batch
	TokenIDLenMax   = 32   // the public half of an API token
	CommandBytesMax = 1 << 20
)

// ErrMalformed is returned by DecodeCommand for bytes that are not a command.
var ErrMalformed = errors.New("engine: malformed command")

// AppendCommand appends the binary encoding of c to buf. The encoding is the
// log format: a version byte, the kind, then the kind's fields in a fixed
// order (strings and byte fields length-prefixed, integers as varints).
func AppendCommand(buf []byte, c *Command) []byte {
	buf = append(buf, commandFormatV1, byte(c.Kind))
	switch c.Kind {
	case KindAddParticipant:
		buf = appendStr(buf, c.Participant)
		buf = appendStr(buf, c.Name)
		buf = appendStr(buf, c.LEI)
		buf = appendStr(buf, c.Country)
		buf = append(buf, c.Roles)
	case KindSetSuspended:
		buf = appendStr(buf, c.Participant)
		buf = appendBool(buf, c.Suspended)
	case KindEnableCurrency:
		buf = appendStr(buf, c.Currency)
		buf = appendStr(buf, c.Participant)
	case KindOpenAccount, KindSetLimits:
		buf = appendStr(buf, c.Participant)
		buf = appendStr(buf, c.Currency)
		buf = binary.AppendVarint(buf, c.Floor)
		buf = binary.AppendUvarint(buf, c.Ceiling)
		buf = appendBool(buf, c.HasCeiling)
	case KindFund, KindDefund:
		buf = appendStr(buf, c.Participant)
		buf = appendStr(buf, c.Currency)
		buf = binary.AppendVarint(buf, c.Amount)
		buf = appendStr(buf, c.Key)
		buf = appendStr(buf, c.Remittance)
	case KindPay, KindReserve:
		buf = appendStr(buf, c.Participant)
		buf = appendStr(buf, c.Payee)
		buf = appendStr(buf, c.Currency)
		buf = appendStr(buf, c.PayeeCurrency)
		buf = binary.AppendVarint(buf, c.Amount)
		buf = appendStr(buf, c.Key)
		buf = append(buf, c.UETR[:]...)
		buf = appendStr(buf, c.EndToEndID)
		buf = appendStr(buf, c.DebtorName)
		buf = appendStr(buf, c.CreditorName)
		buf = appendStr(buf, c.UltimateDebtorName)
		buf = appendStr(buf, c.UltimateCreditorName)
		buf = appendStr(buf, c.Remittance)
		buf = append(buf, c.Priority)
		buf = binary.AppendVarint(buf, c.TimeoutNs)
		buf = appendScreening(buf, &c.Screening)
	case KindPost, KindVoid:
		buf = appendStr(buf, c.Participant)
		buf = binary.AppendUvarint(buf, c.PendingID)
		buf = binary.AppendVarint(buf, c.Amount)
	case KindIssueToken:
		buf = appendStr(buf, c.TokenID)
		buf = append(buf, c.TokenHash[:]...)
		buf = appendStr(buf, c.Participant)
		buf = appendStr(buf, c.Name)
	case KindRevokeToken:
		buf = appendStr(buf, c.TokenID)
	case KindSetScreening:
		buf = appendStr(buf, c.Name)
		buf = binary.AppendUvarint(buf, uint64(c.Threshold))
		buf = appendBool(buf, c.FourEyes)
	case KindCancel:
		buf = appendStr(buf, c.Participant)
		buf = binary.AppendUvarint(buf, c.PendingID)
		buf = appendStr(buf, c.Remittance)
	case KindReturn:
		buf = appendStr(buf, c.Participant)
		buf = binary.AppendUvarint(buf, c.PendingID)
		buf = binary.AppendVarint(buf, c.Amount)
		buf = appendStr(buf, c.Key)
		buf = append(buf, c.UETR[:]...)
		buf = appendStr(buf, c.EndToEndID)
		buf = appendStr(buf, c.Remittance)
	case KindRelease, KindRejectHeld:
		buf = binary.AppendUvarint(buf, c.PendingID)
		buf = appendStr(buf, c.Name)
		buf = appendStr(buf, c.Remittance)
	case KindLinked:
		buf = appendStr(buf, c.Key)
		buf = binary.AppendUvarint(buf, uint64(len(c.Transfers)))
		for _, t := range c.Transfers {
			buf = appendStr(buf, t.Debit)
			buf = appendStr(buf, t.Credit)
			buf = appendStr(buf, t.Currency)
			buf = binary.AppendVarint(buf, t.Amount)
		}
	}
	return buf
}

// Encode returns the binary encoding of c.
func (c *Command) Encode() []byte { return AppendCommand(make([]byte, 0, 96), c) }

// DecodeCommand decodes one command. Unknown kinds decode with only Kind set,
// so the engine can answer command_unknown; anything else that does not parse
// exactly, including trailing bytes, is ErrMalformed.
func DecodeCommand(b []byte) (Command, error) {
	var c Command
	err := decodeCommand(&c, nil, b, nil)
	return c, err
}

// refs are what the engine's decoder found of the participant, payee and
// currency a command names: their index plus one, or zero. They save the
// engine a second lookup; participants and currencies are never removed or
// renumbered, so a resolved index stays right.
type refs struct{ participant, payee, currency int32 }

// interner returns the engine's own copy of a participant id (or, with
// currency set, a currency code) and its index plus one, or "", 0 if it has
// none.
type interner func(b []byte, currency bool) (string, int32)

// decodeCommand decodes b into c (zero on error) with an optional interner
// for participant ids and currency codes: the engine passes one that returns
// the strings it already holds, so the apply path does not allocate them per
// command, and their indexes, which it records in r. r may be nil when
// intern is.
func decodeCommand(c *Command, r *refs, b []byte, intern interner) error {
	*c = Command{}
	if r == nil {
		r = new(refs)
	}
	*r = refs{}
	if len(b) > CommandBytesMax {
		return fmt.Errorf("%w: %d bytes exceeds %d", ErrMalformed, len(b), CommandBytesMax)
	}
	if len(b) < 2 {
		return fmt.Errorf("%w: %d bytes", ErrMalformed, len(b))
	}
	if b[0] != commandFormatV1 {
		return fmt.Errorf("%w: format version %d", ErrMalformed, b[0])
	}
	if k := Kind(b[1]); k == KindPay || k == KindReserve {
		c.Kind = k
		if decodePayFast(c, r, b, intern) {
			return nil
		}
		*c, *r = Command{}, refs{}
	}
	return decodeFields(c, r, b, intern)
}

// decodeFields decodes the kind and fields of b, whose length and version
// decodeCommand has checked.
func decodeFields(c *Command, r *refs, b []byte, intern interner) error {
	d := decoder{b: b[2:], intern: intern}
	c.Kind = Kind(b[1])
	switch c.Kind {
	case KindAddParticipant:
		c.Participant = d.str()
		c.Name = d.str()
		c.LEI = d.str()
		c.Country = d.str()
		c.Roles = d.byte()
	case KindSetSuspended:
		c.Participant = d.str()
		c.Suspended = d.bool()
	case KindEnableCurrency:
		c.Currency = d.str()
		c.Participant = d.str()
	case KindOpenAccount, KindSetLimits:
		c.Participant = d.str()
		c.Currency = d.str()
		c.Floor = d.varint()
		c.Ceiling = d.uvarint()
		c.HasCeiling = d.bool()
	case KindFund, KindDefund:
		c.Participant, r.participant = d.id(false)
		c.Currency, r.currency = d.id(true)
		c.Amount = d.varint()
		c.Key = d.str()
		c.Remittance = d.str()
	case KindPay, KindReserve:
		c.Participant, r.participant = d.id(false)
		c.Payee, r.payee = d.id(false)
		c.Currency, r.currency = d.id(true)
		c.PayeeCurrency, _ = d.id(true)
		c.Amount = d.varint()
		c.Key = d.str()
		d.bytes(c.UETR[:])
		c.EndToEndID = d.str()
		c.DebtorName = d.str()
		c.CreditorName = d.str()
		c.UltimateDebtorName = d.str()
		c.UltimateCreditorName = d.str()
		c.Remittance = d.str()
		c.Priority = d.byte()
		c.TimeoutNs = d.varint()
		d.screening(&c.Screening)
	case KindPost, KindVoid:
		c.Participant, _ = d.id(false)
		c.PendingID = d.uvarint()
		c.Amount = d.varint()
	case KindIssueToken:
		c.TokenID = d.str()
		d.bytes(c.TokenHash[:])
		c.Participant = d.str()
		c.Name = d.str()
	case KindRevokeToken:
		c.TokenID = d.str()
	case KindSetScreening:
		c.Name = d.str()
		c.Threshold = narrow[uint16](&d)
		c.FourEyes = d.bool()
	case KindCancel:
		c.Participant, _ = d.id(false)
		c.PendingID = d.uvarint()
		c.Remittance = d.str()
	case KindReturn:
		c.Participant, r.participant = d.id(false)
		c.PendingID = d.uvarint()
		c.Amount = d.varint()
		c.Key = d.str()
		d.bytes(c.UETR[:])
		c.EndToEndID = d.str()
		c.Remittance = d.str()
	case KindRelease, KindRejectHeld:
		c.PendingID = d.uvarint()
		c.Name = d.str()
		c.Remittance = d.str()
	case KindLinked:
		c.Key = d.str()
		n := d.uvarint()
		if n > LinkedMax {
			*c, *r = Command{}, refs{}
			return fmt.Errorf("%w: linked batch of %d exceeds %d", ErrMalformed, n, LinkedMax)
		}
		c.Transfers = make([]TransferSpec, 0, min(n, uint64(len(d.b))/transferSpecFieldsN))
		for i := uint64(0); i < n && d.err == nil; i++ {
			var t TransferSpec
			t.Debit = d.str()
			t.Credit = d.str()
			t.Currency = d.str()
			t.Amount = d.varint()
			c.Transfers = append(c.Transfers, t)
		}
	default:
		return nil
	}
	if kind := c.Kind; d.err != nil {
		*c, *r = Command{}, refs{}
		return fmt.Errorf("%w: %s: %v", ErrMalformed, kind, d.err)
	} else if len(d.b) != 0 {
		*c, *r = Command{}, refs{}
		return fmt.Errorf("%w: %s: %d trailing bytes", ErrMalformed, kind, len(d.b))
	}
	return nil
}

// decodePayFast decodes a pay or reserve command in the common form, every
// string shorter than 128 bytes, in one straight pass without the decoder's
// calls. It reports false, leaving c and r partly set, for anything else, which
// decodeFields then decodes (or refuses) as always: for what it accepts it
// sets exactly what decodeFields would.
func decodePayFast(c *Command, r *refs, b []byte, intern interner) bool {
	i, ok := 2, false
	if c.Participant, r.participant, i, ok = fastID(b, i, intern, false); !ok {
		return false
	}
	if c.Payee, r.payee, i, ok = fastID(b, i, intern, false); !ok {
		return false
	}
	if c.Currency, r.currency, i, ok = fastID(b, i, intern, true); !ok {
		return false
	}
	if c.PayeeCurrency, _, i, ok = fastID(b, i, intern, true); !ok {
		return false
	}
	if c.Amount, i, ok = fastVarint(b, i); !ok {
		return false
	}
	if c.Key, i, ok = fastStr(b, i); !ok || len(b)-i < len(c.UETR) {
		return false
	}
	i += copy(c.UETR[:], b[i:])
	for _, f := range [...]*string{&c.EndToEndID, &c.DebtorName, &c.CreditorName, &c.UltimateDebtorName, &c.UltimateCreditorName, &c.Remittance} {
		if *f, i, ok = fastStr(b, i); !ok {
			return false
		}
	}
	if i >= len(b) {
		return false
	}
	c.Priority = b[i]
	if c.TimeoutNs, i, ok = fastVarint(b, i+1); !ok || i >= len(b) || b[i] != screeningMarker {
		return false
	}
	s := &c.Screening
	if s.Lists, i, ok = fastStr(b, i+1); !ok {
		return false
	}
	var score uint64
	if score, i, ok = fastUvarint(b, i); !ok || score > ScoreMax {
		return false
	}
	s.Score = uint16(score)
	for _, f := range [...]*string{&s.Party, &s.Ref, &s.Listed} {
		if *f, i, ok = fastStr(b, i); !ok {
			return false
		}
	}
	return i == len(b)
}

// fastStr reads the string at b[i:] if its length takes one byte.
func fastStr(b []byte, i int) (string, int, bool) {
	if i >= len(b) || b[i] >= 0x80 || len(b)-i-1 < int(b[i]) {
		return "", i, false
	}
	n := int(b[i])
	return string(b[i+1 : i+1+n]), i + 1 + n, true
}

// fastID is fastStr for a field the decoder interns (see decoder.id).
func fastID(b []byte, i int, intern interner, currency bool) (string, int32, int, bool) {
	if i >= len(b) || b[i] >= 0x80 || len(b)-i-1 < int(b[i]) {
		return "", 0, i, false
	}
	n := int(b[i])
	if n == 0 {
		return "", 0, i + 1, true
	}
	if intern != nil {
		if s, ref := intern(b[i+1:i+1+n], currency); ref > 0 {
			return s, ref, i + 1 + n, true
		}
	}
	return string(b[i+1 : i+1+n]), 0, i + 1 + n, true
}

// fastVarint reads the minimal varint at b[i:].
func fastVarint(b []byte, i int) (int64, int, bool) {
	if i < len(b) && b[i] < 0x80 {
		v := b[i]
		return int64(v>>1) ^ -int64(v&1), i + 1, true
	}
	v, k := binary.Varint(b[min(i, len(b)):])
	if k <= 0 || k != varintLen(v) {
		return 0, i, false
	}
	return v, i + k, true
}

// fastUvarint reads the minimal uvarint at b[i:].
func fastUvarint(b []byte, i int) (uint64, int, bool) {
	if i < len(b) && b[i] < 0x80 {
		return uint64(b[i]), i + 1, true
	}
	v, k := binary.Uvarint(b[min(i, len(b)):])
	if k <= 0 || k != uvarintLen(v) {
		return 0, i, false
	}
	return v, i + k, true
}

// screeningMarker starts the screening block, so that ContentBytes can find
// where the rest of the command ends.
const screeningMarker = 0xff

func appendScreening(buf []byte, s *Screening) []byte {
	buf = append(buf, screeningMarker)
	buf = appendStr(buf, s.Lists)
	buf = binary.AppendUvarint(buf, uint64(s.Score))
	buf = appendStr(buf, s.Party)
	buf = appendStr(buf, s.Ref)
	return appendStr(buf, s.Listed)
}

func (d *decoder) screening(s *Screening) {
	if d.byte() != screeningMarker {
		d.fail("missing screening block")
		return
	}
	s.Lists = d.str()
	score := d.uvarint()
	if score > ScoreMax {
		d.fail("screening score %d exceeds %d", score, ScoreMax)
	}
	s.Score = uint16(score)
	s.Party, s.Ref, s.Listed = d.str(), d.str(), d.str()
}

// ScoreMax is the largest screening score.
const ScoreMax = 1000

// ThresholdMin is the lowest hold threshold: the lowest score screening
// reports (screening.MinScore, which a test keeps equal). A lower threshold
// would let the names that score in between through unheld.
const ThresholdMin = 700

// contentBytes returns the part of an encoded command that idempotency
// compares: for payments, everything before the screening block.
func contentBytes(raw []byte, screeningLen int) []byte {
	return raw[:len(raw)-screeningLen]
}

func appendStr(buf []byte, s string) []byte {
	buf = binary.AppendUvarint(buf, uint64(len(s)))
	return append(buf, s...)
}

func appendBool(buf []byte, v bool) []byte {
	if v {
		return append(buf, 1)
	}
	return append(buf, 0)
}

// decoder reads fields and remembers the first error, so a decode is a
// straight line of reads followed by one check.
type decoder struct {
	b      []byte
	err    error
	intern interner
}

func (d *decoder) fail(format string, args ...any) {
	if d.err == nil {
		d.err = fmt.Errorf(format, args...)
	}
	d.b = nil
}

// fieldBytesMax bounds any string field at decode time. The engine checks the
// tighter limit of each field itself, so that an over-long name gets its own
// reason rather than "malformed".
const fieldBytesMax = 1024

// str reads a length-prefixed string of at most fieldBytesMax bytes.
func (d *decoder) str() string {
	if len(d.b) > 0 && d.b[0] < 0x80 {
		// The common case: a one-byte length, minimal and within max.
		n := int(d.b[0])
		if len(d.b)-1 < n {
			d.fail("truncated string")
			return ""
		}
		s := string(d.b[1 : 1+n])
		d.b = d.b[1+n:]
		return s
	}
	const max = fieldBytesMax
	n, k := binary.Uvarint(d.b)
	if k <= 0 || k != uvarintLen(n) {
		d.fail("bad string length")
		return ""
	}
	if n > uint64(max) {
		d.fail("string of %d bytes exceeds %d", n, max)
		return ""
	}
	if uint64(len(d.b)-k) < n {
		d.fail("truncated string")
		return ""
	}
	s := string(d.b[k : k+int(n)])
	d.b = d.b[k+int(n):]
	return s
}

// id reads a string field that names a participant (or, with currency set,
// a currency), interned when the decoder has an interner that knows it; ref
// is then its index plus one.
func (d *decoder) id(currency bool) (s string, ref int32) {
	n, k := binary.Uvarint(d.b)
	if d.intern == nil || k <= 0 || k != uvarintLen(n) || n > uint64(len(d.b)-k) {
		return d.str(), 0
	}
	if n == 0 {
		d.b = d.b[k:]
		return "", 0
	}
	if s, ref := d.intern(d.b[k:k+int(n)], currency); ref > 0 {
		d.b = d.b[k+int(n):]
		return s, ref
	}
	return d.str(), 0
}

func (d *decoder) bytes(dst []byte) {
	if len(d.b) < len(dst) {
		d.fail("truncated bytes")
		return
	}
	copy(dst, d.b)
	d.b = d.b[len(dst):]
}

func (d *decoder) byte() byte {
	if len(d.b) < 1 {
		d.fail("truncated byte")
		return 0
	}
	v := d.b[0]
	d.b = d.b[1:]
	return v
}

func (d *decoder) bool() bool {
	switch d.byte() {
	case 0:
		return false
	case 1:
		return true
	}
	d.fail("bad bool")
	return false
}

// Varints must be minimal: an overlong encoding would give one command two
// encodings, and so two idempotency content hashes.
func (d *decoder) varint() int64 {
	if len(d.b) > 0 && d.b[0] < 0x80 { // one byte, always minimal
		v := d.b[0]
		d.b = d.b[1:]
		return int64(v>>1) ^ -int64(v&1)
	}
	v, k := binary.Varint(d.b)
	if k <= 0 || k != varintLen(v) {
		d.fail("bad varint")
		return 0
	}
	d.b = d.b[k:]
	return v
}

func (d *decoder) uvarint() uint64 {
	if len(d.b) > 0 && d.b[0] < 0x80 { // one byte, always minimal
		v := d.b[0]
		d.b = d.b[1:]
		return uint64(v)
	}
	v, k := binary.Uvarint(d.b)
	if k <= 0 || k != uvarintLen(v) {
		d.fail("bad uvarint")
		return 0
	}
	d.b = d.b[k:]
	return v
}

// narrow decodes a uvarint into a narrower unsigned type. A value that does
// not fit is malformed rather than truncated: truncating would give a command
// two encodings, as an overlong varint would.
func narrow[T ~uint16 | ~uint32](d *decoder) T {
	v := d.uvarint()
	if uint64(T(v)) != v {
		d.fail("value %d out of range", v)
		return 0
	}
	return T(v)
}

func uvarintLen(v uint64) int {
	n := 1
	for v >= 0x80 {
		v >>= 7
		n++
	}
	return n
}

func varintLen(v int64) int {
	u := uint64(v) << 1
	if v < 0 {
		u = ^u
	}
	return uvarintLen(u)
}
