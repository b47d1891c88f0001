package history

import (
	"encoding/binary"
	"fmt"
	"slices"

	"github.com/cespare/xxhash/v2"

	"github.com/mutua-org/mutua/internal/engine"
	"github.com/mutua-org/mutua/internal/ledger"
	"github.com/mutua-org/mutua/internal/money"
)

// Key layout, version 2. Every key starts with 'h', outside the node's 0x00
// key space; integers in keys are big-endian so that keys sort numerically.
//
//	h v                                   layout version (one byte: 2)
//	h n <ref:4>                           dictionary: participant id or currency code
//	h p <first:8>                         chunk: payments first.. created in one entry
//	h s <id:8>                            status override of a payment after its entry
//	h u <hash:6> <id:n>                   UETR index (hash of the UETR)
//	h k <hash:6> <id:n>                   idempotency-key index (hash of participant, key)
//	h i <participant ref:4> <first:8>     a participant's payments created in one entry
//	h e <account:4> <ns:8> <index:8>      an account's postings in one entry
//	h w                                   index watermark (see index.go)
//
// The recorder writes, per log entry, one chunk key per chunkPaymentsMax
// payments, one key per participant and one per account touched by the
// entry; and, in bulk every million or so payments, two small index keys
// per payment. Payment ids are contiguous
// within an entry, so a chunk is found by seeking to the last chunk key at
// or before an id. The hash indexes put the id in the key, so two values with
// the same hash are two keys, never an overwrite; a lookup checks every
// candidate against its record.
//
// <id:n> is the id's length in bytes and its big-endian bytes without
// leading zeros. Values are documented at their encoders below.
const (
	prefixVersion     = "hv"
	prefixDict        = "hn"
	prefixChunk       = "hp"
	prefixStatus      = "hs"
	prefixUETR        = "hu"
	prefixKey         = "hk"
	prefixParticipant = "hi"
	prefixEntry       = "he"

	layoutVersion = 2
)

// Sizes of one chunk: a chunk closes when it holds chunkPaymentsMax
// payments or chunkBytesMax bytes, so that reading one payment reads little
// else.
const (
	chunkPaymentsMax = 64
	chunkBytesMax    = 8 << 10
)

func chunkKey(first uint64) []byte {
	return binary.BigEndian.AppendUint64([]byte(prefixChunk), first)
}

func statusKey(id uint64) []byte {
	return binary.BigEndian.AppendUint64([]byte(prefixStatus), id)
}

func dictKey(ref uint32) []byte {
	return binary.BigEndian.AppendUint32([]byte(prefixDict), ref)
}

// hashBits is the length of the index hashes: short keys, and with the id
// in the key a collision only costs a lookup one more record to check.
const hashBits = 48

// hashPrefix is the key prefix of all index keys for one hashed value.
func hashPrefix(prefix string, h uint64) []byte {
	b := []byte(prefix)
	for shift := hashBits - 8; shift >= 0; shift -= 8 {
		b = append(b, byte(h>>shift))
	}
	return b
}

// appendOrderedUint appends v as its length and its big-endian bytes
// without leading zeros: short, and sorting as v does.
func appendOrderedUint(b []byte, v uint64) []byte {
	n := 0
	for x := v; x != 0; x >>= 8 {
		n++
	}
	b = append(b, byte(n))
	for i := n - 1; i >= 0; i-- {
		b = append(b, byte(v>>(8*i)))
	}
	return b
}

func orderedUint(b []byte) (uint64, bool) {
	if len(b) < 1 || int(b[0]) != len(b)-1 || b[0] > 8 || (b[0] > 0 && b[1] == 0) {
		return 0, false
	}
	var v uint64
	for _, c := range b[1:] {
		v = v<<8 | uint64(c)
	}
	return v, true
}

// prefixEnd returns the smallest key above every key starting with p.
func prefixEnd(p []byte) []byte {
	end := slices.Clone(p)
	for i := len(end) - 1; i >= 0; i-- {
		if end[i] != 0xff {
			end[i]++
			return end[:i+1]
		}
	}
	return nil // no upper bound
}

func uetrHash(u [16]byte) uint64 { return xxhash.Sum64(u[:]) >> (64 - hashBits) }

// idemHash hashes an idempotency key in its participant's scope.
func idemHash(participant, key []byte) uint64 {
	var d xxhash.Digest
	d.Reset()
	_, _ = d.Write(participant)
	_, _ = d.Write([]byte{0})
	_, _ = d.Write(key)
	return d.Sum64() >> (64 - hashBits)
}

func participantPrefix(ref uint32) []byte {
	return binary.BigEndian.AppendUint32([]byte(prefixParticipant), ref)
}

func participantKey(ref uint32, first uint64) []byte {
	return binary.BigEndian.AppendUint64(participantPrefix(ref), first)
}

func entryPrefix(a ledger.AccountID) []byte {
	return binary.BigEndian.AppendUint32([]byte(prefixEntry), uint32(a))
}

const entryKeyLen = len(prefixEntry) + 4 + 8 + 8

// Chunk value:
//
//	version:1 | index:uvarint | createdNs:varint | count:uvarint |
//	baseKey:str | baseLists:str | count × (len:uvarint | record)
//
// baseKey and baseLists are the first payment's idempotency key and
// screening list set: records store their key as a prefix shared with
// baseKey plus a suffix, and their list set as a flag when it is baseLists.
//
// Record:
//
//	kind:1 | status:1 | flags:uvarint | [reason:uvarint] | [posted:varint] |
//	from:ref | to:ref | body
//
// A ref is a dictionary reference plus one (0 is the empty string). posted
// defaults to the command's amount when the payment is settled, else 0. The
// body depends on the kind (see appendBody); a command the compact form
// cannot represent is stored whole (flagRaw).
const chunkFormat = 2

// Record flags. The ones a plain payment sets come first, so that its flags
// take one byte.
const (
	flagPartFrom    = 1 << iota // command participant is from
	flagPayeeTo                 // payee is to
	flagUETR                    // 16 bytes of UETR follow
	flagListsBase               // list set is the chunk's base
	flagReason                  // reason follows
	flagPosted                  // posted follows
	flagPartTo                  // command participant is to
	flagRaw                     // body is the encoded command
	flagPayeeCcy                // payee currency is the currency
	flagE2E                     // strings present, in this order
	flagDebtor                  //
	flagCreditor                //
	flagUltDebtor               //
	flagUltCreditor             //
	flagRemittance              //
	flagPriority                // priority byte follows
	flagTimeout                 // timeout varint follows
	flagLists                   // list set string follows (else empty)
	flagScreening               // score, party, ref, listed follow
)

// state is the mutable part of a payment: what a later entry may change.
type state struct {
	Status    engine.Status
	Reason    engine.Reason
	Posted    int64
	UpdatedNs int64
}

// Override value: status:1 | reason:uvarint | posted:varint | updatedNs:varint.
func encodeOverride(s state) []byte {
	v := make([]byte, 0, 24)
	v = append(v, byte(s.Status))
	v = binary.AppendUvarint(v, uint64(s.Reason))
	v = binary.AppendVarint(v, s.Posted)
	return binary.AppendVarint(v, s.UpdatedNs)
}

func decodeOverride(v []byte) (state, error) {
	if len(v) < 1 {
		return state{}, fmt.Errorf("%w: status override", ErrCorrupt)
	}
	s := state{Status: engine.Status(v[0])}
	r := reader{b: v[1:]}
	s.Reason = engine.Reason(r.uvarint())
	s.Posted, s.UpdatedNs = r.varint(), r.varint()
	if r.bad || len(r.b) != 0 {
		return state{}, fmt.Errorf("%w: status override", ErrCorrupt)
	}
	return s, nil
}

// refs maps strings to dictionary references while encoding.
type refs interface {
	ref(s string) uint32
	refBytes(b []byte) uint32 // ref(string(b)), without allocating for a known name
}

// names maps dictionary references back to strings while decoding.
type names interface {
	name(ref uint64) (string, bool)
}

func appendRef(b []byte, d refs, s string) []byte {
	if s == "" {
		return append(b, 0)
	}
	return binary.AppendUvarint(b, uint64(d.ref(s))+1)
}

func (r *reader) ref(d names) string {
	v := r.uvarint()
	if v == 0 || r.bad {
		return ""
	}
	s, ok := d.name(v - 1)
	if !ok {
		r.bad = true
	}
	return s
}

func defaultPosted(s engine.Status, c *engine.Command) int64 {
	if s == engine.StatusSettled {
		return c.Amount
	}
	return 0
}

// appendBody appends the compact body of p's command, or reports that the
// command needs the raw form. Only fields the engine has validated as
// participant ids and currency codes go to the dictionary. Payments and
// reservations are encoded from the command as read in place: see
// payFields.appendBody.
func appendBody(b []byte, d refs, p *Payment, flags *uint64, baseKey, baseLists string) ([]byte, bool) {
	c := &p.Command
	switch c.Kind {
	case engine.KindFund, engine.KindDefund:
		b = appendParticipant(b, d, p, flags)
		b = appendRef(b, d, c.Currency)
		b = binary.AppendVarint(b, c.Amount)
		b = appendKey(b, []byte(c.Key), baseKey)
		if c.Remittance != "" {
			*flags |= flagRemittance
			b = appendString(b, c.Remittance)
		}
		return b, true
	case engine.KindLinked:
		b = appendKey(b, []byte(c.Key), baseKey)
		b = binary.AppendUvarint(b, uint64(len(c.Transfers)))
		for _, t := range c.Transfers {
			b = appendRef(b, d, t.Debit)
			b = appendRef(b, d, t.Credit)
			b = appendRef(b, d, t.Currency)
			b = binary.AppendVarint(b, t.Amount)
		}
		return b, true
	}
	return nil, false
}

// payFields are the fields of an encoded pay or reserve command
// (engine.AppendCommand's format), read in place: the slices alias it.
type payFields struct {
	participant, payee, currency, payeeCurrency []byte
	amount                                      int64
	key                                         []byte
	uetr                                        [16]byte
	texts                                       [6][]byte // end-to-end id, debtor, creditor, ultimate debtor, ultimate creditor, remittance
	priority                                    byte
	timeout                                     int64
	lists                                       []byte
	score                                       uint64
	party, ref, listed                          []byte
}

// screeningMarker starts the screening block of an encoded payment.
const screeningMarker = 0xff

// scanPay reads an encoded pay or reserve command. It reports false for
// anything else or anything that does not parse exactly; the caller then
// decodes the command properly.
func scanPay(raw []byte) (payFields, bool) {
	var f payFields
	if len(raw) < 2 || raw[0] != 1 || (engine.Kind(raw[1]) != engine.KindPay && engine.Kind(raw[1]) != engine.KindReserve) {
		return f, false
	}
	r := reader{b: raw[2:]}
	f.participant, f.payee, f.currency, f.payeeCurrency = r.bytes(), r.bytes(), r.bytes(), r.bytes()
	f.amount = r.varint()
	f.key = r.bytes()
	r.fixed(f.uetr[:])
	for i := range f.texts {
		f.texts[i] = r.bytes()
	}
	var b [1]byte
	r.fixed(b[:])
	f.priority = b[0]
	f.timeout = r.varint()
	if r.fixed(b[:]); b[0] != screeningMarker {
		return f, false
	}
	f.lists = r.bytes()
	f.score = r.uvarint()
	f.party, f.ref, f.listed = r.bytes(), r.bytes(), r.bytes()
	return f, !r.bad && len(r.b) == 0 && f.score <= engine.ScoreMax
}

// compact reports whether the compact form holds the payment: its payee
// currency, if any, is its currency (the engine accepts no other).
func (f *payFields) compact() bool {
	return len(f.payeeCurrency) == 0 || string(f.payeeCurrency) == string(f.currency)
}

// appendBody appends the compact body of a payment or reservation whose
// first transfer runs from → to (or, held, its payer and payee).
func (f *payFields) appendBody(b []byte, r refs, from, to string, flags *uint64, baseKey, baseLists string) []byte {
	switch string(f.participant) {
	case from:
		*flags |= flagPartFrom
	case to:
		*flags |= flagPartTo
	default:
		b = binary.AppendUvarint(b, uint64(r.refBytes(f.participant))+1)
	}
	if string(f.payee) == to {
		*flags |= flagPayeeTo
	} else {
		b = appendRefBytes(b, r, f.payee)
	}
	b = appendRefBytes(b, r, f.currency)
	if len(f.payeeCurrency) > 0 {
		*flags |= flagPayeeCcy
	}
	b = binary.AppendVarint(b, f.amount)
	b = appendKey(b, f.key, baseKey)
	if f.uetr != [16]byte{} {
		*flags |= flagUETR
		b = append(b, f.uetr[:]...)
	}
	for i, s := range f.texts {
		if len(s) > 0 {
			*flags |= flagE2E << i
			b = appendBytes(b, s)
		}
	}
	if f.priority != 0 {
		*flags |= flagPriority
		b = append(b, f.priority)
	}
	if f.timeout != 0 {
		*flags |= flagTimeout
		b = binary.AppendVarint(b, f.timeout)
	}
	switch {
	case len(f.lists) == 0:
	case string(f.lists) == baseLists:
		*flags |= flagListsBase
	default:
		*flags |= flagLists
		b = appendBytes(b, f.lists)
	}
	if f.score != 0 || len(f.party) > 0 || len(f.ref) > 0 || len(f.listed) > 0 {
		*flags |= flagScreening
		b = binary.AppendUvarint(b, f.score)
		b = appendBytes(b, f.party)
		b = appendBytes(b, f.ref)
		b = appendBytes(b, f.listed)
	}
	return b
}

func appendRefBytes(b []byte, r refs, s []byte) []byte {
	if len(s) == 0 {
		return append(b, 0)
	}
	return binary.AppendUvarint(b, uint64(r.refBytes(s))+1)
}

func appendBytes(b, s []byte) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

func appendParticipant(b []byte, d refs, p *Payment, flags *uint64) []byte {
	switch p.Command.Participant {
	case p.From:
		*flags |= flagPartFrom
	case p.To:
		*flags |= flagPartTo
	default:
		b = appendRef(b, d, p.Command.Participant)
	}
	return b
}

func appendKey(b []byte, key []byte, base string) []byte {
	n := 0
	for n < len(key) && n < len(base) && key[n] == base[n] {
		n++
	}
	b = binary.AppendUvarint(b, uint64(n))
	return appendBytes(b, key[n:])
}

func (r *reader) key(base string) string {
	n := r.uvarint()
	if r.bad || n > uint64(len(base)) {
		r.bad = true
		return ""
	}
	suffix := r.bytes()
	if r.bad {
		return ""
	}
	return base[:n] + string(suffix)
}

// chunk is a decoded chunk header with its undecoded records.
type chunk struct {
	first     uint64
	index     uint64
	createdNs int64
	count     uint64
	baseKey   string
	baseLists string
	records   []byte
}

func decodeChunk(key, v []byte) (chunk, error) {
	var ch chunk
	if len(key) != len(prefixChunk)+8 || len(v) < 1 || v[0] != chunkFormat {
		return ch, fmt.Errorf("%w: chunk %x", ErrCorrupt, key)
	}
	ch.first = binary.BigEndian.Uint64(key[len(prefixChunk):])
	r := reader{b: v[1:]}
	ch.index = r.uvarint()
	ch.createdNs = r.varint()
	ch.count = r.uvarint()
	ch.baseKey = r.string()
	ch.baseLists = r.string()
	if r.bad || ch.count == 0 {
		return ch, fmt.Errorf("%w: chunk %d", ErrCorrupt, ch.first)
	}
	ch.records = r.b
	return ch, nil
}

// contains reports whether payment id is in the chunk.
func (ch *chunk) contains(id uint64) bool { return id >= ch.first && id-ch.first < ch.count }

// payment decodes the record of payment id, which the chunk contains.
func (ch *chunk) payment(d names, id uint64) (Payment, error) {
	r := reader{b: ch.records}
	for i := ch.first; i < id; i++ {
		n := r.uvarint()
		if r.bad || n > uint64(len(r.b)) {
			return Payment{}, fmt.Errorf("%w: chunk %d", ErrCorrupt, ch.first)
		}
		r.b = r.b[n:]
	}
	rec := r.bytes()
	if r.bad {
		return Payment{}, fmt.Errorf("%w: chunk %d", ErrCorrupt, ch.first)
	}
	p, err := ch.decodeRecord(d, rec)
	if err != nil {
		return p, fmt.Errorf("%w: payment %d: %v", ErrCorrupt, id, err)
	}
	p.ID, p.Index, p.CreatedNs, p.UpdatedNs = id, ch.index, ch.createdNs, ch.createdNs
	return p, nil
}

func (ch *chunk) decodeRecord(d names, rec []byte) (Payment, error) {
	var p Payment
	if len(rec) < 2 {
		return p, fmt.Errorf("short record")
	}
	c := &p.Command
	c.Kind, p.Status = engine.Kind(rec[0]), engine.Status(rec[1])
	r := reader{b: rec[2:]}
	flags := r.uvarint()
	if flags&flagReason != 0 {
		p.Reason = engine.Reason(r.uvarint())
	}
	posted, hasPosted := int64(0), flags&flagPosted != 0
	if hasPosted {
		posted = r.varint()
	}
	p.From, p.To = r.ref(d), r.ref(d)
	if r.bad {
		return p, fmt.Errorf("record header")
	}
	if flags&flagRaw != 0 {
		raw := r.bytes()
		if r.bad || len(r.b) != 0 {
			return p, fmt.Errorf("raw record")
		}
		cmd, err := engine.DecodeCommand(raw)
		if err != nil {
			return p, err
		}
		p.Command = cmd
	} else if err := ch.decodeBody(&r, d, &p, flags); err != nil {
		return p, err
	}
	p.Posted = defaultPosted(p.Status, c)
	if hasPosted {
		p.Posted = posted
	}
	return p, nil
}

func (ch *chunk) decodeBody(r *reader, d names, p *Payment, flags uint64) error {
	c := &p.Command
	participant := func() {
		switch {
		case flags&flagPartFrom != 0:
			c.Participant = p.From
		case flags&flagPartTo != 0:
			c.Participant = p.To
		default:
			c.Participant = r.ref(d)
		}
	}
	switch c.Kind {
	case engine.KindPay, engine.KindReserve:
		participant()
		if flags&flagPayeeTo != 0 {
			c.Payee = p.To
		} else {
			c.Payee = r.ref(d)
		}
		c.Currency = r.ref(d)
		if flags&flagPayeeCcy != 0 {
			c.PayeeCurrency = c.Currency
		}
		c.Amount = r.varint()
		c.Key = r.key(ch.baseKey)
		if flags&flagUETR != 0 {
			r.fixed(c.UETR[:])
		}
		for i, s := range [...]*string{&c.EndToEndID, &c.DebtorName, &c.CreditorName, &c.UltimateDebtorName, &c.UltimateCreditorName, &c.Remittance} {
			if flags&(flagE2E<<i) != 0 {
				*s = r.string()
			}
		}
		if flags&flagPriority != 0 {
			var b [1]byte
			r.fixed(b[:])
			c.Priority = b[0]
		}
		if flags&flagTimeout != 0 {
			c.TimeoutNs = r.varint()
		}
		switch {
		case flags&flagListsBase != 0:
			c.Screening.Lists = ch.baseLists
		case flags&flagLists != 0:
			c.Screening.Lists = r.string()
		}
		if flags&flagScreening != 0 {
			score := r.uvarint()
			if score > engine.ScoreMax {
				r.bad = true
			}
			c.Screening.Score = uint16(score)
			c.Screening.Party, c.Screening.Ref, c.Screening.Listed = r.string(), r.string(), r.string()
		}
	case engine.KindFund, engine.KindDefund:
		participant()
		c.Currency = r.ref(d)
		c.Amount = r.varint()
		c.Key = r.key(ch.baseKey)
		if flags&flagRemittance != 0 {
			c.Remittance = r.string()
		}
	case engine.KindLinked:
		c.Key = r.key(ch.baseKey)
		n := r.uvarint()
		if n > engine.LinkedMax || n > uint64(len(r.b)) {
			return fmt.Errorf("linked batch of %d", n)
		}
		c.Transfers = make([]engine.TransferSpec, n)
		for i := range c.Transfers {
			t := &c.Transfers[i]
			t.Debit, t.Credit, t.Currency = r.ref(d), r.ref(d), r.ref(d)
			t.Amount = r.varint()
		}
	default:
		return fmt.Errorf("compact record of kind %s", c.Kind)
	}
	if r.bad || len(r.b) != 0 {
		return fmt.Errorf("%s record", c.Kind)
	}
	return nil
}

// Postings value (an account's postings in one entry):
//
//	opening balance (neg:1 | hi:uvarint | lo:uvarint) | count:uvarint |
//	count × (kind<<1|credit:1 | counterparty:uvarint | payment delta:varint | amount:uvarint)
//
// The payment delta is against the previous posting's payment (the first
// against 0). Balances after each posting follow from the opening balance.

func appendBalance(b []byte, bal balance) []byte {
	if bal.neg {
		b = append(b, 1)
	} else {
		b = append(b, 0)
	}
	b = binary.AppendUvarint(b, bal.v.Hi)
	return binary.AppendUvarint(b, bal.v.Lo)
}

func (r *reader) balance() balance {
	var b [1]byte
	r.fixed(b[:])
	bal := balance{neg: b[0] == 1}
	bal.v.Hi, bal.v.Lo = r.uvarint(), r.uvarint()
	if b[0] > 1 || (bal.neg && bal.v.IsZero()) {
		r.bad = true
	}
	return bal
}

// postings decodes the postings of one entry key, calling fn for each with
// the balance after it, and returns the closing balance. fn returns false to
// stop.
func decodePostings(key, v []byte, fn func(e *Entry) bool) (balance, error) {
	if len(key) != entryKeyLen {
		return balance{}, fmt.Errorf("%w: entry key %x", ErrCorrupt, key)
	}
	k := key[len(prefixEntry):]
	e := Entry{
		Account:  ledger.AccountID(binary.BigEndian.Uint32(k)),
		BookedNs: int64(binary.BigEndian.Uint64(k[4:])),
		Index:    binary.BigEndian.Uint64(k[12:]),
	}
	r := reader{b: v}
	bal := r.balance()
	n := r.uvarint()
	if r.bad || n == 0 || n > uint64(len(r.b)) {
		return bal, fmt.Errorf("%w: entries of account %d at %d", ErrCorrupt, e.Account, e.Index)
	}
	for i := uint64(0); i < n; i++ {
		var kc [1]byte
		r.fixed(kc[:])
		e.Kind, e.Credit = engine.Kind(kc[0]>>1), kc[0]&1 == 1
		e.Counterparty = ledger.AccountID(r.uvarint())
		e.Payment += uint64(r.varint())
		e.Amount = r.uvarint()
		if r.bad {
			return bal, fmt.Errorf("%w: entries of account %d at %d", ErrCorrupt, e.Account, e.Index)
		}
		bal = bal.apply(e.Credit, e.Amount)
		e.N, e.BalanceNeg, e.BalanceAfter = int(i)+1, bal.neg, bal.v
		if fn != nil && !fn(&e) {
			return bal, nil
		}
	}
	if len(r.b) != 0 {
		return bal, fmt.Errorf("%w: entries of account %d at %d: trailing bytes", ErrCorrupt, e.Account, e.Index)
	}
	return bal, nil
}

// Participant index value: createdNs:varint | count:uvarint | count × id delta:uvarint
// (the first against the key's first id, so 0).

type balance struct {
	neg bool
	v   money.Uint128
}

func (b balance) apply(credit bool, amount uint64) balance {
	a := money.U128(amount)
	if credit == !b.neg { // same sign: magnitude grows
		v, _ := b.v.Add(a)
		return balance{b.neg, v}
	}
	if b.v.Cmp(a) >= 0 {
		v, _ := b.v.Sub(a)
		return balance{b.neg && !v.IsZero(), v}
	}
	v, _ := a.Sub(b.v)
	return balance{!credit, v}
}

// plus returns b + d.
func (b balance) plus(d balance) balance {
	if b.neg == d.neg {
		v, _ := b.v.Add(d.v)
		return balance{b.neg, v}
	}
	if b.v.Cmp(d.v) >= 0 {
		v, _ := b.v.Sub(d.v)
		return balance{b.neg && !v.IsZero(), v}
	}
	v, _ := d.v.Sub(b.v)
	return balance{d.neg, v}
}

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

type reader struct {
	b   []byte
	bad bool
}

func (r *reader) uvarint() uint64 {
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.bad = true
		r.b = nil
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *reader) varint() int64 {
	v, n := binary.Varint(r.b)
	if n <= 0 {
		r.bad = true
		r.b = nil
		return 0
	}
	r.b = r.b[n:]
	return v
}

// bytes reads a length-prefixed byte string, aliasing the input.
func (r *reader) bytes() []byte {
	n := r.uvarint()
	if r.bad || n > uint64(len(r.b)) {
		r.bad = true
		r.b = nil
		return nil
	}
	s := r.b[:n:n]
	r.b = r.b[n:]
	return s
}

func (r *reader) string() string { return string(r.bytes()) }

func (r *reader) fixed(dst []byte) {
	if len(r.b) < len(dst) {
		r.bad = true
		r.b = nil
		return
	}
	copy(dst, r.b)
	r.b = r.b[len(dst):]
}
