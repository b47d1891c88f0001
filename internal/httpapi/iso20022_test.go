package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/mutua-org/mutua/internal/daemon"
	"github.com/mutua-org/mutua/internal/engine"
	"github.com/mutua-org/mutua/internal/iso20022"
	"github.com/mutua-org/mutua/internal/screening"
)

// isoMember is a participant of the test union.
type isoMember struct {
	id, name, country string
	issues            string // currency it issues, if a central bank
	without           string // currency it holds no account in
}

// isoMembers are the institutions the codec's corpus names, and the central
// banks issuing its currencies.
var isoMembers = []isoMember{
	{"RBISINBBXXX", "Reserve Bank of India", "IN", "INR", ""},
	{"CBRFRUMMXXX", "Central Bank of the Russian Federation", "RU", "RUB", ""},
	{"PBOCCNBJXXX", "People's Bank of China", "CN", "CNY", ""},
	{"BCBBBRDFXXX", "Banco Central do Brasil", "BR", "BRL", ""},
	{"SARBZAJPXXX", "South African Reserve Bank", "ZA", "ZAR", ""},
	{"CBAUAEAAXXX", "Central Bank of the UAE", "AE", "AED", ""},
	{"SBININBBXXX", "State Bank of India", "IN", "", ""},
	{"ICICINBBXXX", "ICICI Bank", "IN", "", ""},
	{"SABRRUMMXXX", "Sberbank", "RU", "", ""},
	{"VTBRRUMMXXX", "VTB Bank", "RU", "", ""},
	{"BKCHCNBJXXX", "Bank of China", "CN", "", ""},
	{"ICBKCNBJXXX", "Industrial and Commercial Bank of China", "CN", "", ""},
	{"BRASBRRJXXX", "Banco do Brasil", "BR", "", ""},
	{"ITAUBRSPXXX", "Itau Unibanco", "BR", "", ""},
	{"SBZAZAJJXXX", "The Standard Bank of South Africa", "ZA", "", ""},
	{"FIRNZAJJXXX", "FirstRand Bank", "ZA", "", ""},
	{"EBILAEADXXX", "Emirates NBD Bank", "AE", "", ""},
	{"NBADAEAAXXX", "First Abu Dhabi Bank", "AE", "", ""},
}

// isoUnion is a real node with the corpus's members, every member holding
// an account in every currency, funded, and a token each.
type isoUnion struct {
	t      testing.TB
	d      *daemon.Daemon
	srv    *httptest.Server
	tokens map[string]string // participant id ("" operator) → bearer token
}

// isoFunding is what every settlement bank starts with in every currency.
const isoFunding = 1_000_000_000_000_00 // one trillion major units

func newISOUnion(t testing.TB, members []isoMember, funding int64) *isoUnion {
	t.Helper()
	ctx := context.Background()
	d, err := daemon.Open(daemon.Config{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	u := &isoUnion{t: t, d: d, tokens: map[string]string{}}
	t.Cleanup(func() {
		if u.srv != nil {
			u.srv.Close()
		}
		d.Close()
	})
	var cmds []*engine.Command
	var currencies []string
	for _, m := range members {
		roles := engine.RoleSettlement
		if m.issues != "" {
			roles |= engine.RoleIssuer
			currencies = append(currencies, m.issues)
		}
		cmds = append(cmds, &engine.Command{Kind: engine.KindAddParticipant, Participant: m.id, Name: m.name, Country: m.country, Roles: roles})
	}
	for _, m := range members {
		if m.issues != "" {
			cmds = append(cmds, &engine.Command{Kind: engine.KindEnableCurrency, Currency: m.issues, Participant: m.id})
		}
	}
	for _, m := range members {
		for _, c := range currencies {
			if c != m.issues && c != m.without {
				cmds = append(cmds, &engine.Command{Kind: engine.KindOpenAccount, Participant: m.id, Currency: c})
			}
		}
	}
	for _, m := range members {
		for _, c := range currencies {
			if m.issues == "" && c != m.without && funding > 0 {
				cmds = append(cmds, &engine.Command{Kind: engine.KindFund, Participant: m.id, Currency: c, Amount: funding, Key: "fund-" + c})
			}
		}
	}
	for _, c := range cmds {
		if r, err := d.Submit(ctx, c); err != nil || r.Reason != engine.OK {
			t.Fatalf("setup %s %s %s: %v %v", c.Kind, c.Participant, c.Currency, r, err)
		}
	}
	for _, m := range append([]isoMember{{id: ""}}, members...) {
		tok, r, err := d.IssueToken(ctx, m.id, "iso20022 test")
		if err != nil || r.Reason != engine.OK {
			t.Fatalf("token for %q: %v %v", m.id, r, err)
		}
		u.tokens[m.id] = tok.String()
	}
	u.srv = httptest.NewServer(New(d, nil).Handler())
	return u
}

// watch activates an operator list naming the given parties (and only
// it), at the default threshold: payments naming them are held.
func (u *isoUnion) watch(names ...string) {
	u.t.Helper()
	var b strings.Builder
	b.WriteString(screening.CSVHeaderBIC + "\n")
	for i, n := range names {
		name, bics, _ := strings.Cut(n, "|") // "name|BIC;BIC"
		fmt.Fprintf(&b, "OPS-%04d,entity,%s,,,,operator watch list,%s\n", i+1, name, bics)
	}
	v, err := screening.ParseCSV(strings.NewReader(b.String()))
	if err != nil {
		u.t.Fatal(err)
	}
	if err := u.d.ImportList(v); err != nil {
		u.t.Fatal(err)
	}
	r, _, err := u.d.ActivateLists(context.Background(), []string{v.ID}, screening.DefaultThreshold, false)
	if err != nil || r.Reason != engine.OK {
		u.t.Fatalf("activate watch list: %v %v", r, err)
	}
}

// do sends a request and returns the status, headers and body.
func (u *isoUnion) do(method, path, who, contentType string, body []byte) (int, http.Header, []byte) {
	u.t.Helper()
	req, err := http.NewRequest(method, u.srv.URL+path, bytes.NewReader(body))
	if err != nil {
		u.t.Fatal(err)
	}
	if tok, found := u.tokens[who]; found && who != "-" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := u.srv.Client().Do(req)
	if err != nil {
		u.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		u.t.Fatal(err)
	}
	return resp.StatusCode, resp.Header, b
}

// send posts a message as participant who and returns its parsed pacs.002
// (and the raw answer).
func (u *isoUnion) send(who string, msg []byte) (*iso20022.StatusReport, []byte) {
	u.t.Helper()
	status, h, b := u.do("POST", "/v1/iso20022", who, "application/xml", msg)
	if status != http.StatusOK || !strings.HasPrefix(h.Get("Content-Type"), "application/xml") {
		u.t.Fatalf("POST /v1/iso20022 as %s = %d %s", who, status, b)
	}
	m, errs := iso20022.Parse(b)
	if len(errs) > 0 || m.StatusReport == nil {
		u.t.Fatalf("answer is not a valid pacs.002: %v\n%s", errs, b)
	}
	return m.StatusReport, b
}

// get fetches an ISO 20022 message as who; 204 gives nil.
func (u *isoUnion) get(who, path string) (*iso20022.Message, []byte, http.Header) {
	u.t.Helper()
	status, h, b := u.do("GET", path, who, "", nil)
	if status == http.StatusNoContent {
		return nil, nil, h
	}
	if status != http.StatusOK {
		u.t.Fatalf("GET %s as %s = %d %s", path, who, status, b)
	}
	m, errs := iso20022.Parse(b)
	if len(errs) > 0 {
		u.t.Fatalf("GET %s: answer does not parse: %v\n%s", path, errs, b)
	}
	return m, b, h
}

// balances returns every account's balance in minor units, keyed
// "participant currency".
func (u *isoUnion) balances() map[string]*big.Int {
	out := map[string]*big.Int{}
	u.d.Read(func(e *engine.Engine) {
		for _, p := range e.Participants() {
			for _, a := range e.Accounts(p.ID) {
				neg, v := a.Balance()
				b := v.Big()
				if neg {
					b.Neg(b)
				}
				out[p.ID+" "+a.Currency.Code] = b
			}
		}
	})
	return out
}

func (u *isoUnion) digest() [32]byte {
	var d [32]byte
	u.d.Read(func(e *engine.Engine) { d = e.Digest() })
	return d
}

// moved applies the settled transactions of a pacs.002 answering a credit
// transfer (or return) to want: each settled, non-repeated transaction moves
// its amount from payer to payee.
func moved(t testing.TB, want map[string]*big.Int, m *iso20022.Message, r *iso20022.StatusReport, payer string) {
	t.Helper()
	for i, st := range r.TxInfAndSts {
		if st.TxSts != iso20022.StatusSettled || repeated(st) {
			continue
		}
		var amt iso20022.Amount
		var payee string
		switch {
		case m.CreditTransfer != nil:
			tx := m.CreditTransfer.Txs[i]
			amt, payee = tx.IntrBkSttlmAmt, firstBIC(tx.InstdAgt, m.CreditTransfer.GrpHdr.InstdAgt)
		case m.PaymentReturn != nil:
			tx := m.PaymentReturn.Txs[i]
			amt, payee = tx.RtrdIntrBkSttlmAmt, firstBIC(tx.InstdAgt, m.PaymentReturn.GrpHdr.InstdAgt)
		}
		v := new(big.Int).SetUint64(amt.Value)
		want[payer+" "+amt.Currency].Sub(want[payer+" "+amt.Currency], v)
		want[payee+" "+amt.Currency].Add(want[payee+" "+amt.Currency], v)
	}
}

func firstBIC(as ...*iso20022.Agent) string {
	for _, a := range as {
		if a != nil {
			return a.BICFI
		}
	}
	return ""
}

// repeated reports whether a status repeats an earlier submission's.
func repeated(st iso20022.TxStatus) bool {
	for _, ri := range st.StsRsnInf {
		for _, l := range ri.AddtlInf {
			if strings.HasPrefix(l, "duplicate") {
				return true
			}
		}
	}
	return false
}

func sameBalances(t testing.TB, context string, got, want map[string]*big.Int) {
	t.Helper()
	keys := make([]string, 0, len(want))
	for k := range want {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if got[k].Cmp(want[k]) != 0 {
			t.Errorf("%s: balance %s = %s; want %s", context, k, got[k], want[k])
		}
	}
}

func copyBalances(m map[string]*big.Int) map[string]*big.Int {
	out := make(map[string]*big.Int, len(m))
	for k, v := range m {
		out[k] = new(big.Int).Set(v)
	}
	return out
}

func corpusFile(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "iso20022", "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func corpusFiles(t testing.TB, pattern string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("..", "iso20022", "testdata", pattern))
	if err != nil || len(files) == 0 {
		t.Fatalf("no corpus files %s: %v", pattern, err)
	}
	return files
}

// sender is the participant that sends a message: its instructing agent,
// or the assigner of a cancellation.
func sender(m *iso20022.Message) string {
	switch {
	case m == nil:
	case m.CreditTransfer != nil && len(m.CreditTransfer.Txs) > 0:
		return firstBIC(m.CreditTransfer.Txs[0].InstgAgt, m.CreditTransfer.GrpHdr.InstgAgt)
	case m.PaymentReturn != nil && len(m.PaymentReturn.Txs) > 0:
		return firstBIC(m.PaymentReturn.Txs[0].InstgAgt, m.PaymentReturn.GrpHdr.InstgAgt)
	case m.CancellationRequest != nil && m.CancellationRequest.Assgnmt.Assgnr.FI != nil:
		return m.CancellationRequest.Assgnmt.Assgnr.FI.BICFI
	}
	return ""
}

func parseFile(t testing.TB, b []byte) *iso20022.Message {
	t.Helper()
	m, errs := iso20022.Parse(b)
	if len(errs) > 0 {
		t.Fatalf("corpus message does not parse: %v", errs)
	}
	return m
}

// statuses lists a pacs.002's transaction statuses with their first reason
// code: "ACSC ACSC RJCT/AM04".
func statuses(r *iso20022.StatusReport) string {
	var out []string
	for _, st := range r.TxInfAndSts {
		s := string(st.TxSts)
		for _, ri := range st.StsRsnInf {
			if ri.Rsn.Cd != "" {
				s += "/" + ri.Rsn.Cd
				break
			}
		}
		out = append(out, s)
	}
	if len(r.OrgnlGrpInfAndSts) > 0 && r.OrgnlGrpInfAndSts[0].GrpSts == iso20022.StatusRejected && len(out) == 0 {
		g := r.OrgnlGrpInfAndSts[0]
		return "group RJCT/" + g.StsRsnInf[0].Rsn.Cd
	}
	return strings.Join(out, " ")
}

// xsdCheck collects rendered messages and validates them against the
// official schemas with xmllint at the end of the test.
type xsdCheck struct {
	mu   sync.Mutex
	docs map[string][][]byte // message definition → documents
}

func newXSDCheck(t *testing.T) *xsdCheck {
	x := &xsdCheck{docs: map[string][][]byte{}}
	t.Cleanup(func() { x.validate(t) })
	return x
}

func (x *xsdCheck) add(doc []byte) {
	if doc == nil {
		return
	}
	i := bytes.Index(doc, []byte(iso20022.NamespacePrefix))
	def := string(doc[i+len(iso20022.NamespacePrefix):][:15])
	x.mu.Lock()
	x.docs[def] = append(x.docs[def], doc)
	x.mu.Unlock()
}

func (x *xsdCheck) validate(t *testing.T) {
	if t.Failed() || len(x.docs) == 0 {
		return
	}
	xmllint, err := exec.LookPath("xmllint")
	if err != nil {
		t.Log("!!! xmllint not found: SKIPPING XSD VALIDATION of rendered messages. Install libxml2-utils (apt-get install -y libxml2-utils); CI does. !!!")
		return
	}
	dir := t.TempDir()
	n := 0
	for def, docs := range x.docs {
		args := []string{"--noout", "--schema", filepath.Join("..", "iso20022", "testdata", "xsd", def+".xsd")}
		for i, d := range docs {
			f := filepath.Join(dir, fmt.Sprintf("%s-%d.xml", def, i))
			if err := os.WriteFile(f, d, 0o644); err != nil {
				t.Fatal(err)
			}
			args = append(args, f)
		}
		out, err := exec.Command(xmllint, args...).CombinedOutput()
		if err != nil {
			t.Errorf("rendered %s does not validate against its XSD: %v\n%s", def, err, out)
		}
		n += len(docs)
	}
	t.Logf("xmllint: %d rendered messages valid against their XSDs", n)
}

// TestISO20022ValidCorpus sends every valid pacs.008 and pacs.009 of the
// codec's corpus, with the shipped sanctions lists active, as its
// instructing agent: every transaction is accepted and settles (a
// screening hold is released by the operator first), balances move by
// exactly the amounts, and sending a file again repeats its statuses and
// moves nothing.
func TestISO20022ValidCorpus(t *testing.T) {
	u := newISOUnion(t, isoMembers, isoFunding)
	if _, err := u.d.Bootstrap(context.Background()); err != nil {
		t.Fatal(err)
	}
	xsd := newXSDCheck(t)
	for _, f := range corpusFiles(t, "valid/pacs.00[89]*.xml") {
		name := filepath.Base(f)
		msg := corpusFile(t, "valid/"+name)
		m := parseFile(t, msg)
		from := sender(m)
		before := u.balances()
		r, raw := u.send(from, msg)
		xsd.add(raw)
		if len(r.TxInfAndSts) != len(m.CreditTransfer.Txs) {
			t.Fatalf("%s: %d statuses for %d transactions: %s", name, len(r.TxInfAndSts), len(m.CreditTransfer.Txs), raw)
		}
		for i := range r.TxInfAndSts {
			st := &r.TxInfAndSts[i]
			if st.TxSts == iso20022.StatusPending {
				// Held for compliance review (a false positive of the
				// shipped lists): the participant learns nothing more.
				if b := string(raw); strings.Contains(b, "OFAC") || strings.Contains(b, "UN ") || len(st.StsRsnInf) != 1 || st.StsRsnInf[0].AddtlInf[0] != "held for compliance review" {
					t.Errorf("%s: a hold says more than that it is one: %+v", name, st.StsRsnInf)
				}
				t.Logf("%s: transaction %d held for compliance review; released by the operator", name, i+1)
				id := mustAtoi(t, st.ClrSysRef)
				if res, err := u.d.Submit(context.Background(), &engine.Command{Kind: engine.KindRelease, PendingID: id, Name: "compliance officer", Remittance: "false positive"}); err != nil || res.Status != engine.StatusSettled {
					t.Fatalf("%s: release = %v %v", name, res, err)
				}
				poll, praw, _ := u.get(from, "/v1/iso20022/pacs.002?uetr="+st.OrgnlUETR)
				xsd.add(praw)
				st.TxSts = poll.StatusReport.TxInfAndSts[0].TxSts
			}
			if st.TxSts != iso20022.StatusSettled {
				t.Errorf("%s: transaction %d is %s %+v; want ACSC", name, i+1, st.TxSts, st.StsRsnInf)
			}
		}
		want := copyBalances(before)
		moved(t, want, m, r, from)
		sameBalances(t, name, u.balances(), want)

		again, raw := u.send(from, msg)
		xsd.add(raw)
		for i, st := range again.TxInfAndSts {
			if st.TxSts != iso20022.StatusSettled || !repeated(st) {
				t.Errorf("%s sent again: transaction %d is %s %+v; want ACSC, marked as a repeat", name, i+1, st.TxSts, st.StsRsnInf)
			}
		}
		sameBalances(t, name+" sent again", u.balances(), want)
	}
}

func mustAtoi(t testing.TB, s string) uint64 {
	t.Helper()
	var v uint64
	if _, err := fmt.Sscan(s, &v); err != nil {
		t.Fatalf("%q is not a payment id", s)
	}
	return v
}

// pacs008 renders a minimal single-transaction pacs.008.001.08.
func pacs008(msgID, uetr, e2e, from, to, ccy, amount, debtor, creditor string) []byte {
	return []byte(`<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pacs.008.001.08">
  <FIToFICstmrCdtTrf>
    <GrpHdr>
      <MsgId>` + msgID + `</MsgId>
      <CreDtTm>2026-03-11T09:30:12Z</CreDtTm>
      <NbOfTxs>1</NbOfTxs>
      <SttlmInf><SttlmMtd>CLRG</SttlmMtd></SttlmInf>
    </GrpHdr>
    <CdtTrfTxInf>
      <PmtId><EndToEndId>` + e2e + `</EndToEndId><UETR>` + uetr + `</UETR></PmtId>
      <IntrBkSttlmAmt Ccy="` + ccy + `">` + amount + `</IntrBkSttlmAmt>
      <ChrgBr>SHAR</ChrgBr>
      <InstgAgt><FinInstnId><BICFI>` + from + `</BICFI></FinInstnId></InstgAgt>
      <InstdAgt><FinInstnId><BICFI>` + to + `</BICFI></FinInstnId></InstdAgt>
      <Dbtr><Nm>` + debtor + `</Nm></Dbtr>
      <DbtrAgt><FinInstnId><BICFI>` + from + `</BICFI></FinInstnId></DbtrAgt>
      <CdtrAgt><FinInstnId><BICFI>` + to + `</BICFI></FinInstnId></CdtrAgt>
      <Cdtr><Nm>` + creditor + `</Nm></Cdtr>
      <RmtInf><Ustrd>Invoice ` + e2e + `</Ustrd></RmtInf>
    </CdtTrfTxInf>
  </FIToFICstmrCdtTrf>
</Document>
`)
}

// TestISO20022ReturnsCorpus settles the payment each valid pacs.004 returns,
// then sends the return as the original payee: it settles, moves the money
// back, and the original payer finds it on the pacs.004 polling route.
func TestISO20022ReturnsCorpus(t *testing.T) {
	steel := corpusFile(t, "valid/pacs.008.001.08_inr-to-rub_steel_bare.xml")
	originals := map[string][][]byte{
		"pacs.004.001.09_inr_closed-account.xml":          {steel},
		"pacs.004.001.11_inr_closed-account_envelope.xml": {steel},
		"pacs.004.001.13_inr_closed-account.xml":          {steel},
		"pacs.004.001.10_brl_two-returns.xml": {
			pacs008("ITAU-0311-1", "f15bd3b0-2bf3-4c78-8567-579b0570440f", "E2E-1", "ITAUBRSPXXX", "BRASBRRJXXX", "BRL", "100000.00", "Embraer S.A.", "Vale S.A."),
			pacs008("ITAU-0311-2", "5d53b33c-552e-4466-b5b3-41958c73900f", "E2E-2", "ITAUBRSPXXX", "BRASBRRJXXX", "BRL", "50000.00", "Embraer S.A.", "Vale S.A."),
		},
	}
	xsd := newXSDCheck(t)
	for _, f := range corpusFiles(t, "valid/pacs.004*.xml") {
		name := filepath.Base(f)
		t.Run(name, func(t *testing.T) {
			origs, found := originals[name]
			if !found {
				t.Fatalf("no original payment for %s", name)
			}
			u := newISOUnion(t, isoMembers, isoFunding)
			for _, o := range origs {
				if r, raw := u.send(sender(parseFile(t, o)), o); statuses(r) != "ACSC" {
					t.Fatalf("original payment: %s\n%s", statuses(r), raw)
				}
			}
			msg := corpusFile(t, "valid/"+name)
			m := parseFile(t, msg)
			from := sender(m)
			payer := firstBIC(m.PaymentReturn.Txs[0].InstdAgt, m.PaymentReturn.GrpHdr.InstdAgt)
			before := u.balances()
			r, raw := u.send(from, msg)
			xsd.add(raw)
			for i, st := range r.TxInfAndSts {
				if st.TxSts != iso20022.StatusSettled || st.OrgnlTxID != m.PaymentReturn.Txs[i].RtrID {
					t.Errorf("return %d: %s %+v (OrgnlTxId %q); want ACSC for RtrId %s", i+1, st.TxSts, st.StsRsnInf, st.OrgnlTxID, m.PaymentReturn.Txs[i].RtrID)
				}
			}
			want := copyBalances(before)
			moved(t, want, m, r, from)
			sameBalances(t, name, u.balances(), want)

			// The payer of the originals learns of the returns.
			got, b, h := u.get(payer, "/v1/iso20022/pacs.004")
			xsd.add(b)
			if got == nil || got.PaymentReturn == nil || len(got.PaymentReturn.Txs) != len(m.PaymentReturn.Txs) {
				t.Fatalf("pacs.004 for %s: %s", payer, b)
			}
			for i, tx := range got.PaymentReturn.Txs {
				in := m.PaymentReturn.Txs[i]
				if tx.RtrID != in.RtrID || tx.OrgnlUETR != in.OrgnlUETR || tx.RtrdIntrBkSttlmAmt != in.RtrdIntrBkSttlmAmt ||
					tx.RtrRsnInf[0].Rsn.Cd != in.RtrRsnInf[0].Rsn.Cd || firstBIC(tx.InstgAgt) != from {
					t.Errorf("rendered return %d = %+v; want the one %s sent (%+v)", i+1, tx, from, in)
				}
			}
			if next, _, _ := u.get(payer, "/v1/iso20022/pacs.004?since="+h.Get(NextCursorHeader)); next != nil {
				t.Errorf("after the cursor: %+v; want nothing new", next)
			}
			if other, _, _ := u.get(from, "/v1/iso20022/pacs.004"); other != nil {
				t.Errorf("the returning bank sees returns paid to another: %+v", other)
			}

			// The same file again returns nothing twice.
			again, _ := u.send(from, msg)
			for i, st := range again.TxInfAndSts {
				if st.TxSts != iso20022.StatusSettled || !repeated(st) {
					t.Errorf("return %d sent again: %s %+v; want ACSC as a repeat", i+1, st.TxSts, st.StsRsnInf)
				}
			}
			sameBalances(t, name+" sent again", u.balances(), want)
		})
	}
}

// TestISO20022CancellationsCorpus holds the payments each valid camt.056
// names (an operator watch list names their debtors), then cancels them as
// their payer: CANC, and no money moves; sent again, CANC again.
func TestISO20022CancellationsCorpus(t *testing.T) {
	ironOre := corpusFile(t, "valid/pacs.008.001.09_cny-to-brl_iron-ore_bah.xml")
	zar := corpusFile(t, "valid/pacs.008.001.10_zar-to-aed_three-transactions.xml")
	originals := map[string][]byte{
		"camt.056.001.08_cny_duplicate.xml":          ironOre,
		"camt.056.001.10_cny_duplicate_envelope.xml": ironOre,
		"camt.056.001.11_cny_duplicate.xml":          ironOre,
		"camt.056.001.09_zar_two-cancellations.xml":  zar,
	}
	xsd := newXSDCheck(t)
	for _, f := range corpusFiles(t, "valid/camt.056*.xml") {
		name := filepath.Base(f)
		t.Run(name, func(t *testing.T) {
			u := newISOUnion(t, isoMembers, isoFunding)
			u.watch("Sinochem International Corporation", "Sasol South Africa Ltd", "Anglo American Platinum Ltd")
			orig := originals[name]
			om := parseFile(t, orig)
			before := u.balances()
			r, raw := u.send(sender(om), orig)
			if got := statuses(r); !strings.HasPrefix(got, "PDNG") {
				t.Fatalf("original: %s; want held\n%s", got, raw)
			}
			held := u.balances()
			sameBalances(t, "held", held, before)
			msg := corpusFile(t, "valid/"+name)
			m := parseFile(t, msg)
			from := sender(m)
			for round := 0; round < 2; round++ {
				r, raw := u.send(from, msg)
				xsd.add(raw)
				n := 0
				for _, un := range m.CancellationRequest.Undrlyg {
					for _, tx := range un.TxInf {
						st := r.TxInfAndSts[n]
						n++
						if st.TxSts != "CANC" || st.StsID != tx.CxlID || st.OrgnlUETR != tx.OrgnlUETR || repeated(st) != (round == 1) {
							t.Errorf("round %d, cancellation %s: %+v; want CANC for %s", round, tx.CxlID, st, tx.OrgnlUETR)
						}
						u.pollCancelled(t, sender(om), tx.OrgnlUETR, xsd)
					}
				}
				if g := r.OrgnlGrpInfAndSts[0]; g.OrgnlMsgID != m.CancellationRequest.Assgnmt.ID || g.OrgnlMsgNmID != string(m.Def) {
					t.Errorf("group %+v does not refer to the camt.056", g)
				}
				sameBalances(t, "cancelled", u.balances(), before)
			}
		})
	}
}

// pollCancelled checks that the payer's pacs.002 poll reports the payment
// with UETR uetr cancelled. (The history must record a cancellation as the
// payment's change of state, not as a payment of its own.)
func (u *isoUnion) pollCancelled(t *testing.T, payer, uetr string, xsd *xsdCheck) {
	t.Helper()
	status, _, b := u.do("GET", "/v1/iso20022/pacs.002?uetr="+uetr, payer, "", nil)
	if status != http.StatusOK {
		t.Fatalf("poll cancelled payment %s: %d %s", uetr, status, b)
	}
	xsd.add(b)
	m, errs := iso20022.Parse(b)
	if len(errs) > 0 || m.StatusReport == nil || m.StatusReport.TxInfAndSts[0].TxSts != "CANC" {
		t.Errorf("the cancelled payment polls as %s %v; want CANC", b, errs)
	}
}

// TestISO20022InvalidCorpus sends every invalid message of the codec's
// corpus: its pacs.002 rejects it (or its broken transactions) with the
// reason the file is named after, and nothing else changes: the digest is
// untouched unless some transaction of a multi-transaction file was
// valid, and then balances move by exactly the ones that settled.
func TestISO20022InvalidCorpus(t *testing.T) {
	u := newISOUnion(t, isoMembers, isoFunding)
	xsd := newXSDCheck(t)
	for _, f := range corpusFiles(t, "invalid/*.xml") {
		name := filepath.Base(f)
		want := strings.SplitN(name, "_", 2)[0]
		msg := corpusFile(t, "invalid/"+name)
		m, errs := iso20022.Parse(msg)
		from := sender(m)
		if _, member := u.tokens[from]; !member || from == "" {
			from = "SBININBBXXX"
		}
		before, digest := u.balances(), u.digest()
		r, raw := u.send(from, msg)
		xsd.add(raw)
		g := r.OrgnlGrpInfAndSts[0]
		if errs.Fatal() {
			if g.GrpSts != iso20022.StatusRejected || len(r.TxInfAndSts) != 0 {
				t.Errorf("%s: group %s with %d transactions; want the group rejected", name, g.GrpSts, len(r.TxInfAndSts))
			}
			for _, ri := range g.StsRsnInf {
				if ri.Rsn.Cd != want {
					t.Errorf("%s: group reason %s %v; want %s", name, ri.Rsn.Cd, ri.AddtlInf, want)
				}
			}
		} else {
			bad := 0
			for i, st := range r.TxInfAndSts {
				if len(errs.ForTx(i+1)) == 0 {
					continue
				}
				bad++
				if st.TxSts != iso20022.StatusRejected {
					t.Errorf("%s: transaction %d is %s; want RJCT", name, i+1, st.TxSts)
				}
				for _, ri := range st.StsRsnInf {
					if ri.Rsn.Cd != want {
						t.Errorf("%s: transaction %d reason %s %v; want %s", name, i+1, ri.Rsn.Cd, ri.AddtlInf, want)
					}
				}
			}
			if bad == 0 {
				t.Errorf("%s: no transaction rejected: %s", name, statuses(r))
			}
		}
		submitted := false
		for _, st := range r.TxInfAndSts {
			submitted = submitted || st.TxSts != iso20022.StatusRejected
		}
		if !submitted && u.digest() != digest {
			t.Errorf("%s: the engine state changed though every transaction was rejected (%s)", name, statuses(r))
		}
		wantBal := copyBalances(before)
		moved(t, wantBal, m, r, from)
		sameBalances(t, name, u.balances(), wantBal)
	}
}

// TestISO20022Rejections covers the engine's reasons as a sender meets
// them, each with its ISO 20022 code, and a compliance hold that ends
// rejected.
func TestISO20022Rejections(t *testing.T) {
	members := []isoMember{
		{"RBISINBBXXX", "Reserve Bank of India", "IN", "INR", ""},
		{"CBRFRUMMXXX", "Central Bank of the Russian Federation", "RU", "RUB", ""},
		{"SBININBBXXX", "State Bank of India", "IN", "", ""},
		{"SABRRUMMXXX", "Sberbank", "RU", "", ""},
		{"VTBRRUMMXXX", "VTB Bank", "RU", "", "INR"},
	}
	u := newISOUnion(t, members, 1_000_000_00)
	ctx := context.Background()
	// VTB has no INR account; Sberbank is suspended later.
	u.watch("Kwangson Banking Corporation", "Foreign Trade Bank of the DPRK|FTBDKPPY", "Daedong Credit Bank|DCBKKPPY")
	xsd := newXSDCheck(t)
	uetr := func(i int) string { return fmt.Sprintf("00000000-0000-4000-8000-%012d", i) }
	type step struct {
		name, from, to, ccy, amount, creditor string
		uetr                                  int
		want                                  string
	}
	steps := []step{
		{"settles", "SBININBBXXX", "SABRRUMMXXX", "INR", "100.00", "Severstal Trading LLC", 1, "ACSC"},
		{"insufficient liquidity", "SBININBBXXX", "SABRRUMMXXX", "INR", "2000000.00", "Severstal Trading LLC", 2, "RJCT/AM04"},
		{"currency not enabled", "SBININBBXXX", "SABRRUMMXXX", "USD", "10.00", "Severstal Trading LLC", 3, "RJCT/AM03"},
		{"payee has no account in the currency", "SBININBBXXX", "VTBRRUMMXXX", "INR", "10.00", "Severstal Trading LLC", 4, "RJCT/AC03"},
		{"payee not a member", "SBININBBXXX", "DEUTDEFFXXX", "INR", "10.00", "Severstal Trading LLC", 5, "RJCT/CNOR"},
		{"UETR of another payment", "SABRRUMMXXX", "SBININBBXXX", "INR", "10.00", "Tata Steel", 1, "RJCT/AM05"},
		{"held", "SBININBBXXX", "SABRRUMMXXX", "INR", "10.00", "Kwangson Banking Corporation", 6, "PDNG"},
		{"zero", "SBININBBXXX", "SABRRUMMXXX", "INR", "0.00", "Severstal Trading LLC", 7, "RJCT/AM01"},
	}
	for _, s := range steps {
		r, raw := u.send(s.from, pacs008("MSG-"+s.name[:4], uetr(s.uetr), "E2E", s.from, s.to, s.ccy, s.amount, "Tata Steel Exports Ltd", s.creditor))
		xsd.add(raw)
		if got := statuses(r); got != s.want {
			t.Errorf("%s: %s; want %s\n%s", s.name, got, s.want, raw)
		}
		if s.want == "PDNG" && strings.Contains(string(raw), "KWANGSON") {
			t.Errorf("a hold names the list entry: %s", raw)
		}
	}
	// Agents no member is, named by BIC only: an intermediary and a
	// creditor agent whose BICs the list gives (the DPRK's Foreign Trade
	// Bank, Daedong Credit Bank) hold the payment too.
	for i, agent := range map[int]string{
		9:  "<IntrmyAgt1><FinInstnId><BICFI>FTBDKPPYXXX</BICFI></FinInstnId></IntrmyAgt1>\n      <Dbtr>",
		10: "<Dbtr>",
	} {
		msg := pacs008(fmt.Sprintf("MSG-agent-%d", i), uetr(i), "E2E", "SBININBBXXX", "SABRRUMMXXX", "INR", "10.00", "Tata Steel Exports Ltd", "Severstal Trading LLC")
		msg = bytes.Replace(msg, []byte("<Dbtr>"), []byte(agent), 1)
		if i == 10 {
			msg = bytes.Replace(msg, []byte("<CdtrAgt><FinInstnId><BICFI>SABRRUMMXXX"), []byte("<CdtrAgt><FinInstnId><BICFI>DCBKKPPY"), 1)
		}
		r, raw := u.send("SBININBBXXX", msg)
		xsd.add(raw)
		if got := statuses(r); got != "PDNG" || bytes.Contains(raw, []byte("KPPY")) {
			t.Errorf("listed agent %d: %s; want PDNG, naming no list entry\n%s", i, got, raw)
		}
	}
	// The operator rejects the held payment after review: RJCT RR04.
	r, _ := u.send("SBININBBXXX", pacs008("MSG-held", uetr(6), "E2E", "SBININBBXXX", "SABRRUMMXXX", "INR", "10.00", "Tata Steel Exports Ltd", "Kwangson Banking Corporation"))
	id := mustAtoi(t, r.TxInfAndSts[0].ClrSysRef)
	if res, err := u.d.Submit(ctx, &engine.Command{Kind: engine.KindRejectHeld, PendingID: id, Name: "officer", Remittance: "true match"}); err != nil || res.Reason != engine.OK {
		t.Fatalf("reject held: %v %v", res, err)
	}
	poll, praw, _ := u.get("SBININBBXXX", "/v1/iso20022/pacs.002?uetr="+uetr(6))
	xsd.add(praw)
	if got := statuses(poll.StatusReport); got != "RJCT/RR04" {
		t.Errorf("held payment rejected in review: %s; want RJCT/RR04", got)
	}
	// Suspended payee: AG11.
	if res, err := u.d.Submit(ctx, &engine.Command{Kind: engine.KindSetSuspended, Participant: "SABRRUMMXXX", Suspended: true}); err != nil || res.Reason != engine.OK {
		t.Fatal(res, err)
	}
	if r, _ := u.send("SBININBBXXX", pacs008("MSG-susp", uetr(8), "E2E", "SBININBBXXX", "SABRRUMMXXX", "INR", "10.00", "Tata Steel Exports Ltd", "Severstal")); statuses(r) != "RJCT/AG11" {
		t.Errorf("payment to a suspended member: %s; want RJCT/AG11", statuses(r))
	}
	// A return of more than was paid: AM02; a cancellation of a settled
	// payment: FF12.
	if res, err := u.d.Submit(ctx, &engine.Command{Kind: engine.KindSetSuspended, Participant: "SABRRUMMXXX"}); err != nil || res.Reason != engine.OK {
		t.Fatal(res, err)
	}
	ret := bytes.ReplaceAll(corpusFile(t, "valid/pacs.004.001.09_inr_closed-account.xml"), []byte("9fe0f849-8380-4d85-b6d2-59be0ddf8bdd"), []byte(uetr(1)))
	if r, raw := u.send("SABRRUMMXXX", ret); statuses(r) != "RJCT/AM02" {
		t.Errorf("return of more than was paid: %s; want RJCT/AM02\n%s", statuses(r), raw)
	}
	cxl := bytes.ReplaceAll(corpusFile(t, "valid/camt.056.001.08_cny_duplicate.xml"), []byte("be1a7c36-248a-4f5f-bbaa-9b8ff5cdffd5"), []byte(uetr(1)))
	cxl = bytes.ReplaceAll(cxl, []byte("BKCHCNBJXXX"), []byte("SBININBBXXX"))
	cxl = bytes.ReplaceAll(cxl, []byte(`Ccy="CNY">48250000.00`), []byte(`Ccy="INR">100.00`))
	if r, raw := u.send("SBININBBXXX", cxl); statuses(r) != "RJCT/FF12" {
		t.Errorf("cancellation of a settled payment: %s; want RJCT/FF12\n%s", statuses(r), raw)
	}
	if r, raw := u.send("SABRRUMMXXX", cxl); statuses(r) != "group RJCT/AGNT" {
		t.Errorf("cancellation by another bank: %s; want the group rejected AGNT\n%s", statuses(r), raw)
	}
}

// TestISO20022Access checks authentication, ownership and the HTTP limits
// of the ISO 20022 routes.
func TestISO20022Access(t *testing.T) {
	members := []isoMember{
		{"RBISINBBXXX", "Reserve Bank of India", "IN", "INR", ""},
		{"SBININBBXXX", "State Bank of India", "IN", "", ""},
		{"ICICINBBXXX", "ICICI Bank", "IN", "", ""},
	}
	u := newISOUnion(t, members, 1_000_000_00)
	msg := pacs008("ACC-1", "11111111-1111-4111-8111-111111111111", "E2E-ACC", "SBININBBXXX", "ICICINBBXXX", "INR", "10.00", "A", "B")
	for _, tc := range []struct {
		name, method, path, who, ctype string
		body                           []byte
		want                           int
	}{
		{"no token", "POST", "/v1/iso20022", "-", "application/xml", msg, 401},
		{"operator cannot send", "POST", "/v1/iso20022", "", "application/xml", msg, 403},
		{"JSON body", "POST", "/v1/iso20022", "SBININBBXXX", "application/json", msg, 415},
		{"too large", "POST", "/v1/iso20022", "SBININBBXXX", "application/xml", bytes.Repeat([]byte(" "), ISOBodyBytesMax+1), 413},
		{"another participant's statement", "GET", "/v1/iso20022/camt.053?account=INR&date=2026-03-11&participant=ICICINBBXXX", "SBININBBXXX", "", nil, 404},
		{"another participant's payments", "GET", "/v1/iso20022/pacs.002?participant=ICICINBBXXX", "SBININBBXXX", "", nil, 404},
		{"operator without participant", "GET", "/v1/iso20022/camt.052?account=INR", "", "", nil, 400},
		{"account not held", "GET", "/v1/iso20022/camt.052?account=RUB", "SBININBBXXX", "", nil, 404},
		{"future day", "GET", "/v1/iso20022/camt.053?account=INR&date=2999-01-01", "SBININBBXXX", "", nil, 400},
		{"unknown parameter", "GET", "/v1/iso20022/camt.054?account=INR&from=x", "SBININBBXXX", "", nil, 400},
		{"bad cursor", "GET", "/v1/iso20022/camt.054?account=INR&since=x", "SBININBBXXX", "", nil, 400},
		{"operator reads a statement", "GET", "/v1/iso20022/camt.053?account=INR&date=2026-03-11&participant=ICICINBBXXX", "", "", nil, 200},
	} {
		status, h, b := u.do(tc.method, tc.path, tc.who, tc.ctype, tc.body)
		if status != tc.want {
			t.Errorf("%s: %s %s = %d %s; want %d", tc.name, tc.method, tc.path, status, b, tc.want)
		}
		if status >= 400 && h.Get("Content-Type") != "application/problem+json" {
			t.Errorf("%s: error answer is %s; want problem details", tc.name, h.Get("Content-Type"))
		}
	}
	// Payer and payee each see the payment only as theirs to see.
	if r, _ := u.send("SBININBBXXX", msg); statuses(r) != "ACSC" {
		t.Fatalf("payment: %s", statuses(r))
	}
	if m, _, _ := u.get("SBININBBXXX", "/v1/iso20022/pacs.002"); m == nil || len(m.StatusReport.TxInfAndSts) != 1 {
		t.Errorf("the payer's pacs.002 poll: %+v; want its payment", m)
	}
	if m, _, _ := u.get("ICICINBBXXX", "/v1/iso20022/pacs.002"); m != nil {
		t.Errorf("the payee's pacs.002 poll lists a payment it did not send: %+v", m.StatusReport)
	}
	if status, _, _ := u.do("GET", "/v1/iso20022/pacs.002?uetr=11111111-1111-4111-8111-111111111111", "ICICINBBXXX", "", nil); status != 404 {
		t.Errorf("the payee polls the payer's status by UETR: %d; want 404", status)
	}
	// The OpenAPI document lists the routes.
	_, _, doc := u.do("GET", "/v1/openapi.json", "-", "", nil)
	var api struct {
		Paths map[string]any `json:"paths"`
	}
	if err := json.Unmarshal(doc, &api); err != nil {
		t.Fatal(err)
	}
	for _, rt := range New(u.d, nil).iso20022Routes() {
		if _, found := api.Paths[rt.path]; !found {
			t.Errorf("OpenAPI document lacks %s", rt.path)
		}
	}
}
