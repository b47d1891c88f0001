package httpapi

import (
	"encoding/json"
	"fmt"
	"io"
	"math/big"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mutua-org/mutua/internal/engine"
	"github.com/mutua-org/mutua/internal/iso20022"
	"github.com/mutua-org/mutua/internal/money"
)

// isoTx is one credit transfer of a generated message.
type isoTx struct {
	uetr, e2e, to, ccy, amount, debtor, creditor string
}

// creditTransfer renders a pacs.008.001.08 (customer transfers) or
// pacs.009.001.08 (transfers between the institutions) from one sender.
func creditTransfer(kind, msgID, from string, txs []isoTx) []byte {
	var b strings.Builder
	root, ns := "FIToFICstmrCdtTrf", "pacs.008.001.08"
	if kind == "pacs.009" {
		root, ns = "FICdtTrf", "pacs.009.001.08"
	}
	fmt.Fprintf(&b, `<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:%s">
  <%s>
    <GrpHdr>
      <MsgId>%s</MsgId>
      <CreDtTm>%s</CreDtTm>
      <NbOfTxs>%d</NbOfTxs>
      <SttlmInf><SttlmMtd>CLRG</SttlmMtd><ClrSys><Prtry>MUTUA</Prtry></ClrSys></SttlmInf>
      <InstgAgt><FinInstnId><BICFI>%s</BICFI></FinInstnId></InstgAgt>
    </GrpHdr>
`, ns, root, msgID, time.Now().UTC().Format(time.RFC3339), len(txs), from)
	for i, tx := range txs {
		fmt.Fprintf(&b, `    <CdtTrfTxInf>
      <PmtId><InstrId>%s-%d</InstrId><EndToEndId>%s</EndToEndId><TxId>%s-%d</TxId><UETR>%s</UETR></PmtId>
      <IntrBkSttlmAmt Ccy="%s">%s</IntrBkSttlmAmt>
      <IntrBkSttlmDt>%s</IntrBkSttlmDt>
`, msgID, i, tx.e2e, msgID, i, tx.uetr, tx.ccy, tx.amount, time.Now().UTC().Format(time.DateOnly))
		if kind == "pacs.009" {
			fmt.Fprintf(&b, `      <InstdAgt><FinInstnId><BICFI>%s</BICFI></FinInstnId></InstdAgt>
      <Dbtr><FinInstnId><BICFI>%s</BICFI></FinInstnId></Dbtr>
      <Cdtr><FinInstnId><BICFI>%s</BICFI></FinInstnId></Cdtr>
      <RmtInf><Ustrd>Interbank settlement %s</Ustrd></RmtInf>
`, tx.to, from, tx.to, tx.e2e)
		} else {
			fmt.Fprintf(&b, `      <ChrgBr>SHAR</ChrgBr>
      <InstdAgt><FinInstnId><BICFI>%s</BICFI></FinInstnId></InstdAgt>
      <Dbtr><Nm>%s</Nm></Dbtr>
      <DbtrAgt><FinInstnId><BICFI>%s</BICFI></FinInstnId></DbtrAgt>
      <CdtrAgt><FinInstnId><BICFI>%s</BICFI></FinInstnId></CdtrAgt>
      <Cdtr><Nm>%s</Nm></Cdtr>
      <RmtInf><Ustrd>Invoice %s</Ustrd></RmtInf>
`, tx.to, tx.debtor, from, tx.to, tx.creditor, tx.e2e)
		}
		b.WriteString("    </CdtTrfTxInf>\n")
	}
	fmt.Fprintf(&b, "  </%s>\n</Document>\n", root)
	return []byte(b.String())
}

// paymentReturn renders a pacs.004.001.09 returning amount of the payment
// with UETR orgnlUETR.
func paymentReturn(msgID, from, to, orgnlUETR, ccy, amount string) []byte {
	return []byte(`<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pacs.004.001.09">
  <PmtRtr>
    <GrpHdr>
      <MsgId>` + msgID + `</MsgId>
      <CreDtTm>` + time.Now().UTC().Format(time.RFC3339) + `</CreDtTm>
      <NbOfTxs>1</NbOfTxs>
      <SttlmInf><SttlmMtd>CLRG</SttlmMtd></SttlmInf>
    </GrpHdr>
    <TxInf>
      <RtrId>` + msgID + `-1</RtrId>
      <OrgnlGrpInf><OrgnlMsgId>NONREF</OrgnlMsgId><OrgnlMsgNmId>pacs.008.001.08</OrgnlMsgNmId></OrgnlGrpInf>
      <OrgnlUETR>` + orgnlUETR + `</OrgnlUETR>
      <RtrdIntrBkSttlmAmt Ccy="` + ccy + `">` + amount + `</RtrdIntrBkSttlmAmt>
      <InstgAgt><FinInstnId><BICFI>` + from + `</BICFI></FinInstnId></InstgAgt>
      <InstdAgt><FinInstnId><BICFI>` + to + `</BICFI></FinInstnId></InstdAgt>
      <RtrRsnInf><Rsn><Cd>AC04</Cd></Rsn><AddtlInf>Beneficiary account closed</AddtlInf></RtrRsnInf>
    </TxInf>
  </PmtRtr>
</Document>
`)
}

func randomUETR(rng *rand.Rand) string {
	var u [16]byte
	for i := range u {
		u[i] = byte(rng.Uint32())
	}
	u[6] = u[6]&0x0f | 0x40
	u[8] = u[8]&0x3f | 0x80
	return formatUUID(u)
}

func decimal2(minor int64) string { return fmt.Sprintf("%d.%02d", minor/100, minor%100) }

// post sends a message from a goroutine: errors are returned, not fatal.
func (u *isoUnion) post(who string, msg []byte) (*iso20022.StatusReport, []byte, error) {
	req, err := http.NewRequest("POST", u.srv.URL+"/v1/iso20022", strings.NewReader(string(msg)))
	if err != nil {
		return nil, nil, err
	}
	req.Header.Set("Authorization", "Bearer "+u.tokens[who])
	req.Header.Set("Content-Type", "application/xml")
	resp, err := u.srv.Client().Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, nil, fmt.Errorf("POST as %s = %d %s", who, resp.StatusCode, b)
	}
	m, errs := iso20022.Parse(b)
	if len(errs) > 0 || m.StatusReport == nil {
		return nil, nil, fmt.Errorf("answer is not a valid pacs.002: %v", errs)
	}
	return m.StatusReport, b, nil
}

// getJSON fetches a JSON API resource as who into v.
func (u *isoUnion) getJSON(who, path string, v any) {
	u.t.Helper()
	status, _, b := u.do("GET", path, who, "", nil)
	if status != http.StatusOK {
		u.t.Fatalf("GET %s = %d %s", path, status, b)
	}
	if err := json.Unmarshal(b, v); err != nil {
		u.t.Fatalf("GET %s: %v", path, err)
	}
}

// minorUnits parses the JSON API's signed decimal text.
func minorUnits(t testing.TB, s string, exp uint8) *big.Int {
	t.Helper()
	neg := strings.HasPrefix(s, "-")
	v, err := money.ParseAmount(strings.TrimPrefix(s, "-"), exp)
	if err != nil {
		t.Fatalf("amount %q: %v", s, err)
	}
	b := new(big.Int).SetUint64(v)
	if neg {
		b.Neg(b)
	}
	return b
}

// TestISO20022DayEndToEnd runs a day of ISO 20022 traffic through a real
// node: pacs.008 and pacs.009 files of one to three transactions from
// several participants at once, some failing for want of liquidity, and a
// few returns. Then every account's camt.053 must reconcile entry by entry
// (opening + credits - debits = closing), its closing balance must equal
// the engine's and the JSON API's, its entries the JSON statement's, the
// camt.052 and the camt.054 pages must agree with it, each sender's pacs.002
// poll must list exactly its accepted payments, and every rendered message
// must validate against its XSD.
func TestISO20022DayEndToEnd(t *testing.T) {
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 4))
	members := []isoMember{
		{"RBISINBBXXX", "Reserve Bank of India", "IN", "INR", ""},
		{"PBOCCNBJXXX", "People's Bank of China", "CN", "CNY", ""},
		{"CBAUAEAAXXX", "Central Bank of the UAE", "AE", "AED", ""},
		{"SBININBBXXX", "State Bank of India", "IN", "", ""},
		{"ICICINBBXXX", "ICICI Bank", "IN", "", ""},
		{"BKCHCNBJXXX", "Bank of China", "CN", "", ""},
		{"ICBKCNBJXXX", "Industrial and Commercial Bank of China", "CN", "", ""},
		{"EBILAEADXXX", "Emirates NBD Bank", "AE", "", ""},
		{"NBADAEAAXXX", "First Abu Dhabi Bank", "AE", "", "CNY"},
	}
	startNs := time.Now().UnixNano()
	u := newISOUnion(t, members, 5_000_000_00)
	xsd := newXSDCheck(t)
	banks := []string{"SBININBBXXX", "ICICINBBXXX", "BKCHCNBJXXX", "ICBKCNBJXXX", "EBILAEADXXX", "NBADAEAAXXX"}
	currencies := []string{"INR", "CNY", "AED"}
	names := []string{"Tata Steel Exports Ltd", "Sinochem International Corporation", "DP World FZE", "Emirates Global Aluminium PJSC", "Reliance Industries Ltd", "COSCO Shipping Bulk Co Ltd"}

	// Each sender's messages, generated up front from the seed.
	type message struct {
		kind string
		body []byte
		txs  []isoTx
	}
	plan := map[string][]message{}
	for i := 0; i < 240; i++ {
		from := banks[rng.IntN(len(banks))]
		kind := "pacs.008"
		if rng.IntN(10) < 3 {
			kind = "pacs.009"
		}
		var txs []isoTx
		for j := 0; j < 1+rng.IntN(3); j++ {
			to := banks[rng.IntN(len(banks))]
			for to == from {
				to = banks[rng.IntN(len(banks))]
			}
			if kind == "pacs.009" && rng.IntN(5) == 0 {
				to = members[rng.IntN(3)].id // a central bank
			}
			txs = append(txs, isoTx{uetr: randomUETR(rng), e2e: fmt.Sprintf("E2E-%d-%d", i, j), to: to,
				ccy: currencies[rng.IntN(len(currencies))], amount: decimal2(1 + rng.Int64N(150_000_000)),
				debtor: names[rng.IntN(len(names))], creditor: names[rng.IntN(len(names))]})
		}
		msgID := fmt.Sprintf("%s-%d", from[:4], i)
		plan[from] = append(plan[from], message{kind, creditTransfer(kind, msgID, from, txs), txs})
	}

	// Send: one goroutine per sender, all at once.
	type sent struct {
		from string
		tx   isoTx
		st   iso20022.TxStatus
	}
	var mu sync.Mutex
	var results []sent
	var errs []error
	var wg sync.WaitGroup
	for from, msgs := range plan {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for _, m := range msgs {
				r, raw, err := u.post(from, m.body)
				mu.Lock()
				if err != nil {
					errs = append(errs, err)
				} else {
					xsd.add(raw)
					for i, st := range r.TxInfAndSts {
						results = append(results, sent{from, m.txs[i], st})
					}
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		t.Error(err)
	}
	if t.Failed() {
		t.FailNow()
	}
	accepted := map[string]int{}
	byStatus := map[string]int{}
	var settled []sent
	for _, r := range results {
		byStatus[statusWithReason(r.st)]++
		switch r.st.TxSts {
		case iso20022.StatusSettled:
			accepted[r.from]++
			settled = append(settled, r)
		case iso20022.StatusRejected:
			// NBADAEAAXXX holds no CNY account: neither pays nor is paid in it.
			if code := r.st.StsRsnInf[0].Rsn.Cd; code != "AM04" && code != "AC02" && code != "AC03" {
				t.Errorf("payment %s from %s to %s: RJCT %s %v; want only liquidity (AM04) or missing account (AC02, AC03) failures", r.tx.e2e, r.from, r.tx.to, code, r.st.StsRsnInf[0].AddtlInf)
			}
		default:
			t.Errorf("payment %s: %s; want ACSC or RJCT", r.tx.e2e, r.st.TxSts)
		}
	}
	t.Logf("%d transactions: %v", len(results), byStatus)
	if byStatus["ACSC"] == 0 || byStatus["RJCT/AM04"] == 0 {
		t.Fatalf("the day should have both settled and rejected payments: %v", byStatus)
	}

	// Returns of a few settled payments, in part, by their payees.
	for i, r := range settled[:min(8, len(settled))] {
		amt := minorUnits(t, r.tx.amount, 2)
		part := new(big.Int).Quo(amt, big.NewInt(int64(2+i))).Int64()
		if part == 0 {
			continue
		}
		rep, raw := u.send(r.tx.to, paymentReturn(fmt.Sprintf("RTN-%d", i), r.tx.to, r.from, r.tx.uetr, r.tx.ccy, decimal2(part)))
		xsd.add(raw)
		switch statuses(rep) {
		case "ACSC":
			accepted[r.tx.to]++
		case "RJCT/AM04": // the payee spent it already
		default:
			t.Errorf("return of %s: %s", r.tx.e2e, raw)
		}
	}

	// Every account, every day the test spanned.
	endNs := time.Now().UnixNano()
	var days []time.Time
	for d := time.Unix(0, startNs).UTC().Truncate(24 * time.Hour); d.UnixNano() < endNs; d = d.Add(24 * time.Hour) {
		days = append(days, d)
	}
	live := u.balances()
	for _, m := range members {
		var accts []engine.AccountView
		u.d.Read(func(e *engine.Engine) { accts = e.Accounts(m.id) })
		for _, a := range accts {
			code := a.Currency.Code
			exp := a.Currency.Exponent
			key := m.id + " " + code
			var opening *big.Int
			var total int
			for _, day := range days {
				date := day.Format(time.DateOnly)
				msg, raw, _ := u.get(m.id, "/v1/iso20022/camt.053?account="+code+"&date="+date)
				xsd.add(raw)
				st := msg.AccountReport
				open, closing := balanceOf(t, st, "OPBD"), balanceOf(t, st, "CLBD")
				if opening != nil && open.Cmp(opening) != 0 {
					t.Errorf("%s %s: opening %s; want the previous day's closing %s", key, date, open, opening)
				}
				sum := new(big.Int).Set(open)
				for _, e := range st.Ntry {
					v := new(big.Int).SetUint64(e.Amt.Value)
					if e.CdtDbtInd == iso20022.Credit {
						sum.Add(sum, v)
					} else {
						sum.Sub(sum, v)
					}
				}
				if sum.Cmp(closing) != 0 {
					t.Errorf("%s %s: opening %s + credits - debits = %s; closing says %s", key, date, open, sum, closing)
				}
				// Entry by entry, the JSON API's statement of the same day.
				var js Statement
				u.getJSON("", fmt.Sprintf("/v1/participants/%s/accounts/%s/statement?from=%s&to=%s", m.id, code, date, day.Add(24*time.Hour).Format(time.DateOnly)), &js)
				if len(js.Entries) != len(st.Ntry) {
					t.Fatalf("%s %s: camt.053 has %d entries, the JSON statement %d", key, date, len(st.Ntry), len(js.Entries))
				}
				for i, e := range st.Ntry {
					je := js.Entries[i]
					dir := map[iso20022.CreditDebit]string{iso20022.Credit: "credit", iso20022.Debit: "debit"}[e.CdtDbtInd]
					if e.AcctSvcrRef != fmt.Sprint(je.Payment) || dir != je.Direction || money.FormatAmount(e.Amt.Value, exp) != je.Amount {
						t.Errorf("%s %s entry %d: camt.053 %s %s %d; JSON %d %s %s", key, date, i, e.AcctSvcrRef, dir, e.Amt.Value, je.Payment, je.Direction, je.Amount)
					}
				}
				if minorUnits(t, js.ClosingBalance, exp).Cmp(closing) != 0 || minorUnits(t, js.OpeningBalance, exp).Cmp(open) != 0 {
					t.Errorf("%s %s: camt.053 %s..%s; JSON statement %s..%s", key, date, open, closing, js.OpeningBalance, js.ClosingBalance)
				}
				opening = closing
				total += len(st.Ntry)
			}
			// The last closing balance is the live one, as the engine and
			// the JSON API have it.
			var acct Account
			u.getJSON("", "/v1/participants/"+m.id+"/accounts/"+code, &acct)
			if opening.Cmp(live[key]) != 0 || minorUnits(t, acct.Balance, exp).Cmp(live[key]) != 0 {
				t.Errorf("%s: camt.053 closes at %s; engine %s; JSON API %s", key, opening, live[key], acct.Balance)
			}
			// The intraday report ends at the same balance.
			rpt, raw, _ := u.get(m.id, "/v1/iso20022/camt.052?account="+code)
			xsd.add(raw)
			if got := balanceOf(t, rpt.AccountReport, "ITBD"); got.Cmp(live[key]) != 0 {
				t.Errorf("%s: camt.052 interim balance %s; want %s", key, got, live[key])
			}
			// The notifications, page after page from the start, hold every
			// entry once.
			n, cursor := 0, "0"
			for page := 0; page < 100; page++ {
				ntf, raw, h := u.get(m.id, "/v1/iso20022/camt.054?account="+code+"&since="+cursor)
				cursor = h.Get(NextCursorHeader)
				if ntf == nil {
					break
				}
				xsd.add(raw)
				n += len(ntf.AccountReport.Ntry)
			}
			if n != total {
				t.Errorf("%s: camt.054 notified %d entries; the statements hold %d", key, n, total)
			}
		}
	}

	// Each sender's pacs.002 poll lists exactly the payments and returns
	// it had accepted.
	for _, b := range banks {
		n, cursor := 0, "0"
		for page := 0; page < 100; page++ {
			msg, raw, h := u.get(b, "/v1/iso20022/pacs.002?limit=50&since="+cursor)
			cursor = h.Get(NextCursorHeader)
			if msg == nil {
				break
			}
			xsd.add(raw)
			for _, st := range msg.StatusReport.TxInfAndSts {
				if st.TxSts != iso20022.StatusSettled {
					t.Errorf("%s's poll: %+v; only settled payments were accepted", b, st)
				}
				n++
			}
		}
		if n != accepted[b] {
			t.Errorf("%s's pacs.002 poll lists %d payments; it had %d accepted", b, n, accepted[b])
		}
	}
}

func statusWithReason(st iso20022.TxStatus) string {
	s := string(st.TxSts)
	if len(st.StsRsnInf) > 0 && st.StsRsnInf[0].Rsn.Cd != "" {
		s += "/" + st.StsRsnInf[0].Rsn.Cd
	}
	return s
}

// balanceOf returns a report's balance of type tp.
func balanceOf(t testing.TB, r *iso20022.AccountReport, tp string) *big.Int {
	t.Helper()
	for _, b := range r.Bal {
		if b.Tp == tp {
			return big.NewInt(b.Amt)
		}
	}
	t.Fatalf("report %s has no %s balance", r.ID, tp)
	return nil
}
