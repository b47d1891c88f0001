// Package history keeps the settled record in Pebble: every accepted payment
// with its current state, and every booked entry per account with the
// balance after it, indexed for queries and statements. It is a view derived
// from the log: the node's recorder calls Record once per applied entry, in
// log order, and commits the batch together with the recorder's index, so
// each entry is recorded exactly once even across crashes.
//
// The layout (see layout.go) is shaped by the recorder's cost: it writes a
// few keys per log entry rather than several per payment. Payments created
// by one entry are stored together in chunks; a later change of state
// (a reservation posted, voided or expired, a held payment released or
// rejected) is a small override key. An account's postings in one entry
// share one key, and so do the ids of a participant's payments created in
// one entry. Only the UETR and idempotency-key indexes have a key per
// payment; those are short, and written in bulk (see index.go).
package history

import (
	"encoding/binary"
	"errors"
	"fmt"
	"slices"

	"github.com/cockroachdb/pebble/v2"

	"github.com/mutua-org/mutua/internal/engine"
	"github.com/mutua-org/mutua/internal/ledger"
	"github.com/mutua-org/mutua/internal/money"
)

// ErrCorrupt means a stored history record does not decode.
var ErrCorrupt = errors.New("history: corrupt record")

// ErrLayout means the store holds history in a layout this code does not
// read.
var ErrLayout = errors.New("history: unknown layout")

// Payment is a settled-history payment record: the command as accepted, its
// current state and times.
type Payment struct {
	ID        uint64
	Index     uint64 // log index of the entry that accepted it
	Status    engine.Status
	Reason    engine.Reason // why it ended rejected, once accepted
	Posted    int64         // amount posted so far (partial posts of a reservation)
	CreatedNs int64
	UpdatedNs int64
	// From and To are the debited and credited participants (for funding,
	// the issuer and the funded participant).
	From, To string
	Command  engine.Command
}

// Entry is one booked posting on an account.
type Entry struct {
	Account      ledger.AccountID
	Counterparty ledger.AccountID
	Payment      uint64
	Kind         engine.Kind
	Credit       bool // credit to Account; otherwise a debit
	Amount       uint64
	BookedNs     int64
	Index        uint64
	// N is the entry's place among the account's postings in its log
	// entry, from 1: with BookedNs and Index, where it stands (see Cursor).
	N int
	// BalanceAfter is the account's posted balance after this entry.
	BalanceNeg   bool
	BalanceAfter money.Uint128
}

// Store reads and writes the history in a Pebble database shared with the
// node. Queries may run concurrently with each other and with Record.
type Store struct {
	db      *pebble.DB
	dict    dict
	pending pendingIndex

	// The recorder's own state. REQUIRES: Record is not called
	// concurrently (the node calls it from one goroutine).
	//
	// balances caches each account's balance after its last recorded
	// entry; next is one more than the largest payment id recorded.
	balances map[ledger.AccountID]balance
	next     uint64
	ready    bool
	rec      recording
}

// New returns a store over db.
func New(db *pebble.DB) *Store {
	s := &Store{db: db, balances: make(map[ledger.AccountID]balance)}
	s.pending.foldEntries = indexFoldEntries
	return s
}

// prepare loads what the recorder needs on its first call and checks the
// layout, writing the version into b on a store without history.
func (s *Store) prepare(b *pebble.Batch) error {
	if s.ready {
		return nil
	}
	v, closer, err := s.db.Get([]byte(prefixVersion))
	switch {
	case errors.Is(err, pebble.ErrNotFound):
		// No version: a new store, or history written before layouts had
		// versions, which this code cannot read.
		it, err := s.db.NewIter(&pebble.IterOptions{LowerBound: []byte("h"), UpperBound: []byte("i")})
		if err != nil {
			return err
		}
		old := it.First()
		if err := it.Close(); err != nil {
			return err
		}
		if old {
			return fmt.Errorf("%w: history of layout 1 (before versions); record into a new data directory", ErrLayout)
		}
		if err := b.Set([]byte(prefixVersion), []byte{layoutVersion}, nil); err != nil {
			return err
		}
	case err != nil:
		return fmt.Errorf("history: layout version: %w", err)
	default:
		ok := len(v) == 1 && v[0] == layoutVersion
		version := slices.Clone(v)
		closer.Close()
		if !ok {
			return fmt.Errorf("%w: version %x; this code reads %d", ErrLayout, version, layoutVersion)
		}
	}
	if err := s.dict.load(s.db); err != nil {
		return err
	}
	if err := s.loadPending(); err != nil {
		return err
	}
	next, err := s.lastChunkEnd()
	if err != nil {
		return err
	}
	s.next = next
	s.ready = true
	return nil
}

// lastChunkEnd returns one more than the last recorded payment id (1 when
// there is none).
func (s *Store) lastChunkEnd() (uint64, error) {
	it, err := s.db.NewIter(&pebble.IterOptions{LowerBound: []byte(prefixChunk), UpperBound: chunkKey(^uint64(0))})
	if err != nil {
		return 0, err
	}
	defer it.Close()
	if !it.Last() {
		return 1, it.Error()
	}
	ch, err := decodeChunk(it.Key(), it.Value())
	if err != nil {
		return 0, err
	}
	return ch.first + ch.count, nil
}

// Record writes the history of one applied entry into b.
func (s *Store) Record(index uint64, nowNs int64, cmds [][]byte, results []any, b *pebble.Batch) error {
	if len(results) != len(cmds) {
		return fmt.Errorf("history: entry %d: %d results for %d commands", index, len(results), len(cmds))
	}
	if err := s.prepare(b); err != nil {
		return err
	}
	r := &s.rec
	r.start(s, b, index, nowNs)
	for pos, raw := range cmds {
		if err := r.command(raw, results[pos].(*engine.Result)); err != nil {
			return fmt.Errorf("history: entry %d command %d: %w", index, pos, err)
		}
	}
	if err := r.finish(); err != nil {
		return fmt.Errorf("history: entry %d: %w", index, err)
	}
	return nil
}

// recording is the state of one Record call. Its buffers are kept for the
// next call.
type recording struct {
	s     *Store
	b     *pebble.Batch
	index uint64
	nowNs int64

	// created are the payments this entry created, ids first, first+1, ...
	first   uint64
	created []created
	arena   []byte // created records' bodies
	// chunk is the open chunk's base: its first payment's key and lists.
	chunkStart          int
	chunkBytes          int
	baseKey, baseLists  string
	overrides           map[uint64]state // payments of earlier entries
	owners              []int32          // participant ref → owned[i] + 1
	owned               []owned
	keys, uetrs         []hashed // index entries, written in key order
	sorted              []hashed // sortHashed's scratch
	order               []uint32 // participant refs or accounts in key order
	accounts            []int32  // account → books[i] + 1
	books               []book
	keyBuf, valBuf, tmp []byte
}

// created is a payment created in the entry being recorded, its body
// encoded and its state still open to changes later in the entry.
type created struct {
	kind       engine.Kind
	st         state
	amount     int64
	from, to   uint32 // dictionary refs + 1
	flags      uint64 // body flags
	start, end int    // body in arena
	chunkStart bool   // first payment of a chunk: base key and lists follow
	baseKey    string
	baseLists  string
}

// sortHashed sorts hs by hash, keeping the order of equal hashes (ids
// ascending), with a radix sort: a few times faster than a comparison sort
// for the tens of thousands of random hashes of an entry. It returns the
// scratch space for the next call.
func sortHashed(hs, scratch []hashed) []hashed {
	if cap(scratch) < len(hs) {
		scratch = make([]hashed, len(hs))
	}
	src, dst := hs, scratch[:len(hs)]
	for shift := 0; shift < hashBits; shift += 8 {
		var count [257]int
		for _, x := range src {
			count[int(byte(x.h>>shift))+1]++
		}
		for i := 1; i < len(count); i++ {
			count[i] += count[i-1]
		}
		for _, x := range src {
			d := byte(x.h >> shift)
			dst[count[d]] = x
			count[d]++
		}
		src, dst = dst, src
	}
	// NB: an even number of passes (hashBits/8) leaves the result in hs.
	return scratch
}

// owned lists the payments of one participant created in the entry.
type owned struct {
	ref uint32
	ids []uint64
}

// book is one account's postings in the entry.
type book struct {
	account     ledger.AccountID
	delta       balance // the sum of the postings
	n           uint64
	lastPayment uint64
	buf         []byte
}

func (r *recording) start(s *Store, b *pebble.Batch, index uint64, nowNs int64) {
	r.s, r.b, r.index, r.nowNs = s, b, index, nowNs
	r.first = 0
	r.created = r.created[:0]
	r.arena = r.arena[:0]
	r.chunkStart, r.chunkBytes = 0, 0
	if r.overrides == nil {
		r.overrides = make(map[uint64]state)
	}
	clear(r.overrides)
	for _, o := range r.owned {
		r.owners[o.ref] = 0
	}
	for _, bk := range r.books {
		r.accounts[bk.account] = 0
	}
	r.owned = r.owned[:0]
	r.books = r.books[:0]
	r.keys, r.uetrs = r.keys[:0], r.uetrs[:0]
}

// ref returns the dictionary reference of s, adding s to the dictionary
// (in memory and in the batch) when it is new.
func (r *recording) ref(s string) uint32 {
	if ref, found := r.s.dict.recorded(s); found {
		return ref
	}
	ref := r.s.dict.add(s)
	// NB: a failed Set leaves the dictionary ahead of the store; the
	// batch is then never committed and the node stops.
	_ = r.b.Set(dictKey(ref), []byte(s), nil)
	return ref
}

func (r *recording) command(raw []byte, res *engine.Result) error {
	for _, t := range res.Expired {
		if err := r.setStatus(t.Payment, engine.StatusExpired, engine.OK, 0); err != nil {
			return err
		}
	}
	if res.Reason != engine.OK || res.Duplicate || res.Payment == 0 {
		return nil
	}
	if len(raw) < 2 {
		return fmt.Errorf("accepted command of %d bytes", len(raw))
	}
	kind := engine.Kind(raw[1])
	switch kind {
	case engine.KindPost, engine.KindVoid, engine.KindRelease, engine.KindRejectHeld, engine.KindCancel:
		if res.Status == engine.StatusHeld {
			// The first of two approvals: the payment did not change.
			return nil
		}
		var posted int64
		if res.Status == engine.StatusSettled && len(res.Transfers) > 0 && !res.Transfers[0].Pending {
			posted = int64(res.Transfers[0].Amount)
		}
		if err := r.setStatus(res.Payment, res.Status, res.PaymentReason, posted); err != nil {
			return err
		}
	case engine.KindIssueToken, engine.KindRevokeToken, engine.KindSetScreening:
		return nil
	default:
		if err := r.create(raw, res); err != nil {
			return err
		}
	}
	for _, t := range res.Transfers {
		if t.Pending || t.Amount == 0 {
			continue
		}
		r.book(t.Debit, t.Credit, false, t.Payment, t.Amount, kind)
		r.book(t.Credit, t.Debit, true, t.Payment, t.Amount, kind)
	}
	return nil
}

// create records a newly accepted payment and indexes it.
func (r *recording) create(raw []byte, res *engine.Result) error {
	id := res.Payment
	if len(r.created) == 0 {
		if id < r.s.next {
			return fmt.Errorf("payment %d created again (recorded up to %d)", id, r.s.next-1)
		}
		r.first = id
	} else if id != r.first+uint64(len(r.created)) {
		return fmt.Errorf("payment %d created after %d", id, r.first+uint64(len(r.created))-1)
	}
	// From and To are the first transfer's parties; a held payment has
	// moved nothing yet, and they are its payer and payee.
	var from, to string
	if len(res.Transfers) > 0 {
		from, to = res.Transfers[0].From, res.Transfers[0].To
	}
	kind := engine.Kind(raw[1])
	cr := created{kind: kind, st: state{Status: res.Status}}
	var n newPayment
	// Payments, nearly all the traffic, are read in place; other kinds,
	// and a payment the compact form cannot hold, are decoded.
	if f, ok := scanPay(raw); ok && (kind == engine.KindPay || kind == engine.KindReserve) && f.compact() {
		if len(res.Transfers) == 0 {
			from, to = r.name(f.participant), r.name(f.payee)
		}
		r.startChunk(&cr, f.key, f.lists)
		cr.from, cr.to = r.optRef(from), r.optRef(to)
		cr.start = len(r.arena)
		r.arena = f.appendBody(r.arena, r, from, to, &cr.flags, r.baseKey, r.baseLists)
		cr.amount = f.amount
		n = newPayment{scope: f.participant, key: f.key, uetr: f.uetr}
	} else {
		c, err := engine.DecodeCommand(raw)
		if err != nil {
			return err
		}
		if len(res.Transfers) == 0 && (c.Kind == engine.KindPay || c.Kind == engine.KindReserve) {
			from, to = c.Participant, c.Payee
		}
		p := Payment{From: from, To: to, Command: c}
		r.startChunk(&cr, []byte(c.Key), []byte(c.Screening.Lists))
		cr.from, cr.to = r.optRef(from), r.optRef(to)
		cr.start = len(r.arena)
		body, ok := appendBody(r.arena, r, &p, &cr.flags, r.baseKey, r.baseLists)
		if !ok {
			cr.flags = flagRaw
			body = appendString(r.arena, string(raw))
		}
		r.arena = body
		cr.amount = c.Amount
		n = newPayment{scope: []byte(c.Participant), key: []byte(c.Key), uetr: c.UETR}
		if c.Kind == engine.KindLinked {
			n.scope = nil // the operator's
		}
	}
	if res.Status == engine.StatusSettled {
		cr.st.Posted = cr.amount
	}
	cr.end = len(r.arena)
	r.chunkBytes += cr.end - cr.start + 8
	r.created = append(r.created, cr)

	// Indexes: key and UETR, and the payment's participants.
	r.keys = append(r.keys, hashed{idemHash(n.scope, n.key), id})
	if n.uetr != [16]byte{} {
		r.uetrs = append(r.uetrs, hashed{uetrHash(n.uetr), id})
	}
	if from != "" {
		r.own(cr.from-1, id)
		r.own(cr.to-1, id)
	}
	for _, t := range res.Transfers {
		if t.From != from || t.To != to {
			r.own(r.ref(t.From), id)
			r.own(r.ref(t.To), id)
		}
	}
	return nil
}

// newPayment is what the indexes need of a created payment.
type newPayment struct {
	scope, key []byte
	uetr       [16]byte
}

// startChunk starts a new chunk with cr when the open one is full (or
// there is none), with cr's key and list set as the chunk's base.
func (r *recording) startChunk(cr *created, key, lists []byte) {
	if len(r.created) > 0 && r.chunkBytes < chunkBytesMax && len(r.created)-r.chunkStart < chunkPaymentsMax {
		return
	}
	r.chunkStart, r.chunkBytes = len(r.created), 0
	r.baseKey, r.baseLists = string(key), string(lists)
	cr.chunkStart, cr.baseKey, cr.baseLists = true, r.baseKey, r.baseLists
}

// name returns the dictionary's copy of the name b (a participant id or
// currency code), adding it when it is new.
func (r *recording) name(b []byte) string {
	ref := r.refBytes(b)
	s, _ := r.s.dict.name(uint64(ref))
	return s
}

// refBytes is ref for a name read in place; it allocates only for a new name.
func (r *recording) refBytes(b []byte) uint32 {
	if ref, found := r.s.dict.recorded(string(b)); found {
		return ref
	}
	return r.ref(string(b))
}

func (r *recording) optRef(s string) uint32 {
	if s == "" {
		return 0
	}
	return r.ref(s) + 1
}

// own lists payment id (the newest so far) for participant ref.
func (r *recording) own(ref uint32, id uint64) {
	for int(ref) >= len(r.owners) {
		r.owners = append(r.owners, 0)
	}
	i := int(r.owners[ref]) - 1
	if i < 0 {
		i = len(r.owned)
		r.owners[ref] = int32(i + 1)
		if i < cap(r.owned) {
			r.owned = r.owned[:i+1]
			r.owned[i].ref, r.owned[i].ids = ref, r.owned[i].ids[:0]
		} else {
			r.owned = append(r.owned, owned{ref: ref})
		}
	}
	o := &r.owned[i]
	if n := len(o.ids); n == 0 || o.ids[n-1] != id {
		o.ids = append(o.ids, id)
	}
}

// book adds a posting on account a to the entry's postings.
func (r *recording) book(a, counterparty ledger.AccountID, credit bool, payment, amount uint64, kind engine.Kind) {
	for int(a) >= len(r.accounts) {
		r.accounts = append(r.accounts, 0)
	}
	i := int(r.accounts[a]) - 1
	if i < 0 {
		i = len(r.books)
		r.accounts[a] = int32(i + 1)
		if i < cap(r.books) {
			r.books = r.books[:i+1]
			r.books[i] = book{account: a, buf: r.books[i].buf[:0]}
		} else {
			r.books = append(r.books, book{account: a})
		}
	}
	bk := &r.books[i]
	kc := byte(kind) << 1
	if credit {
		kc |= 1
	}
	bk.buf = append(bk.buf, kc)
	bk.buf = binary.AppendUvarint(bk.buf, uint64(counterparty))
	bk.buf = binary.AppendVarint(bk.buf, int64(payment-bk.lastPayment))
	bk.buf = binary.AppendUvarint(bk.buf, amount)
	bk.lastPayment = payment
	bk.delta = bk.delta.apply(credit, amount)
	bk.n++
}

// setStatus records a payment's transition to status. A payment settles
// at most once and no other state has anything posted, so the new state
// does not depend on the old one.
func (r *recording) setStatus(id uint64, status engine.Status, reason engine.Reason, posted int64) error {
	if id >= r.first && id-r.first < uint64(len(r.created)) {
		cr := &r.created[id-r.first]
		cr.st = state{Status: status, Reason: reason, Posted: posted}
		return nil
	}
	if id == 0 || id >= r.s.next {
		return fmt.Errorf("status change of unknown payment %d", id)
	}
	r.overrides[id] = state{Status: status, Reason: reason, Posted: posted, UpdatedNs: r.nowNs}
	return nil
}

// finish writes the entry's chunks, overrides, participant lists and
// postings into the batch.
func (r *recording) finish() error {
	if err := r.writeChunks(); err != nil {
		return err
	}
	if err := r.addIndex(); err != nil {
		return err
	}
	if len(r.overrides) > 0 {
		ids := make([]uint64, 0, len(r.overrides))
		for id := range r.overrides {
			ids = append(ids, id)
		}
		slices.Sort(ids)
		for _, id := range ids {
			if err := r.b.Set(statusKey(id), encodeOverride(r.overrides[id]), nil); err != nil {
				return err
			}
		}
	}
	// NB: sorting the small keys, not the structures, is what is cheap.
	r.order = r.order[:0]
	for _, o := range r.owned {
		r.order = append(r.order, o.ref)
	}
	slices.Sort(r.order)
	for _, ref := range r.order {
		o := &r.owned[r.owners[ref]-1]
		v := binary.AppendVarint(r.valBuf[:0], r.nowNs)
		v = binary.AppendUvarint(v, uint64(len(o.ids)))
		prev := o.ids[0]
		for _, id := range o.ids {
			v = binary.AppendUvarint(v, id-prev)
			prev = id
		}
		r.valBuf = v
		r.keyBuf = binary.BigEndian.AppendUint64(binary.BigEndian.AppendUint32(append(r.keyBuf[:0], prefixParticipant...), o.ref), o.ids[0])
		if err := r.b.Set(r.keyBuf, v, nil); err != nil {
			return err
		}
	}
	r.order = r.order[:0]
	if len(r.books)*8 >= len(r.accounts) {
		// Most accounts took part: reading the slots in order is cheaper
		// than sorting.
		for a, slot := range r.accounts {
			if slot != 0 {
				r.order = append(r.order, uint32(a))
			}
		}
	} else {
		for _, bk := range r.books {
			r.order = append(r.order, uint32(bk.account))
		}
		slices.Sort(r.order)
	}
	for _, a := range r.order {
		bk := &r.books[r.accounts[a]-1]
		opening, found := r.s.balances[bk.account]
		if !found {
			var err error
			if opening, err = r.s.lastBalance(bk.account); err != nil {
				return err
			}
		}
		v := appendBalance(r.valBuf[:0], opening)
		v = binary.AppendUvarint(v, bk.n)
		v = append(v, bk.buf...)
		r.valBuf = v
		r.s.balances[bk.account] = opening.plus(bk.delta)
		r.keyBuf = binary.BigEndian.AppendUint32(append(r.keyBuf[:0], prefixEntry...), uint32(bk.account))
		r.keyBuf = binary.BigEndian.AppendUint64(binary.BigEndian.AppendUint64(r.keyBuf, uint64(r.nowNs)), r.index)
		if err := r.b.Set(r.keyBuf, v, nil); err != nil {
			return err
		}
	}
	if len(r.created) > 0 {
		r.s.next = r.first + uint64(len(r.created))
	}
	return nil
}

// writeChunks writes the created payments' chunks.
func (r *recording) writeChunks() error {
	for i := 0; i < len(r.created); {
		cr := &r.created[i]
		v := append(r.valBuf[:0], chunkFormat)
		v = binary.AppendUvarint(v, r.index)
		v = binary.AppendVarint(v, r.nowNs)
		j := i + 1
		for j < len(r.created) && !r.created[j].chunkStart {
			j++
		}
		v = binary.AppendUvarint(v, uint64(j-i))
		v = appendString(v, cr.baseKey)
		v = appendString(v, cr.baseLists)
		for k := i; k < j; k++ {
			rec := r.record(&r.created[k])
			v = binary.AppendUvarint(v, uint64(len(rec)))
			v = append(v, rec...)
		}
		r.valBuf = v
		if err := r.b.Set(chunkKey(r.first+uint64(i)), v, nil); err != nil {
			return err
		}
		i = j
	}
	return nil
}

// record returns the encoded record of cr, valid until the next call.
func (r *recording) record(cr *created) []byte {
	flags := cr.flags
	if cr.st.Reason != engine.OK {
		flags |= flagReason
	}
	def := int64(0)
	if cr.st.Status == engine.StatusSettled {
		def = cr.amount
	}
	if cr.st.Posted != def {
		flags |= flagPosted
	}
	b := append(r.tmp[:0], byte(cr.kind), byte(cr.st.Status))
	b = binary.AppendUvarint(b, flags)
	if flags&flagReason != 0 {
		b = binary.AppendUvarint(b, uint64(cr.st.Reason))
	}
	if flags&flagPosted != 0 {
		b = binary.AppendVarint(b, cr.st.Posted)
	}
	b = binary.AppendUvarint(b, uint64(cr.from))
	b = binary.AppendUvarint(b, uint64(cr.to))
	b = append(b, r.arena[cr.start:cr.end]...)
	r.tmp = b
	return b
}

// lastBalance reads account a's balance after its last recorded entry.
func (s *Store) lastBalance(a ledger.AccountID) (balance, error) {
	it, err := s.db.NewIter(&pebble.IterOptions{LowerBound: entryPrefix(a), UpperBound: prefixEnd(entryPrefix(a))})
	if err != nil {
		return balance{}, err
	}
	defer it.Close()
	if !it.Last() {
		return balance{}, it.Error()
	}
	return decodePostings(it.Key(), it.Value(), nil)
}
