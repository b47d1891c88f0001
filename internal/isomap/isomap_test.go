package isomap

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/mutua-org/mutua/internal/engine"
	"github.com/mutua-org/mutua/internal/iso20022"
)

// corpusBICs are the institutions the codec's test corpus names.
var corpusBICs = []string{
	"BKCHCNBJXXX", "BRASBRRJXXX", "CBAUAEAAXXX", "CBRFRUMMXXX", "EBILAEADXXX", "FIRNZAJJXXX",
	"ICBKCNBJXXX", "ICICINBBXXX", "ITAUBRSPXXX", "NBADAEAAXXX", "PBOCCNBJXXX", "SABRRUMMXXX",
	"SARBZAJPXXX", "SBININBBXXX", "SBZAZAJJXXX", "VTBRRUMMXXX",
}

// fakeDir is a Directory over fixed participants and payments.
type fakeDir struct {
	ids      map[string]bool
	payments []Original
}

func newFakeDir(ids ...string) *fakeDir {
	d := &fakeDir{ids: map[string]bool{}}
	for _, id := range ids {
		d.ids[id] = true
	}
	return d
}

func (d *fakeDir) HasParticipant(id string) bool { return d.ids[id] }

func (d *fakeDir) PaymentByUETR(u [16]byte) (Original, bool, error) {
	for _, p := range d.payments {
		if p.UETR == u {
			return p, true, nil
		}
	}
	return Original{}, false, nil
}

func (d *fakeDir) RecentByEndToEnd(participant, e2e string) ([]Original, error) {
	var out []Original
	for _, p := range d.payments {
		if p.EndToEndID == e2e && (p.Payer == participant || p.Payee == participant) {
			out = append(out, p)
		}
	}
	return out, nil
}

var testNow = time.Date(2026, 3, 11, 12, 0, 0, 0, time.UTC)

func readCorpus(t testing.TB, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "iso20022", "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func mapText(t testing.TB, text, caller string, dir Directory) *Inbound {
	t.Helper()
	m, errs := iso20022.ParseString(text)
	in, err := Map(m, errs, caller, dir, testNow)
	if err != nil {
		t.Fatal(err)
	}
	return in
}

// TestReasonCodes requires an ISO 20022 reason for every engine reason,
// and checks the ones senders act on.
func TestReasonCodes(t *testing.T) {
	for r := engine.Reason(1); int(r) < engine.ReasonCount; r++ {
		code := reasonCodes[r]
		if len(code) != 4 || strings.ToUpper(string(code)) != string(code) {
			t.Errorf("engine reason %s maps to %q; want a 4-character ISO external status reason", r, code)
		}
	}
	for _, tc := range []struct {
		r    engine.Reason
		want iso20022.Reason
	}{
		{engine.InsufficientLiquidity, "AM04"},
		{engine.IdempotencyConflict, "AM05"},
		{engine.UETRDuplicate, "AM05"},
		{engine.CurrencyNotEnabled, "AM03"},
		{engine.CurrencyUnknown, "AM11"},
		{engine.AmountZero, "AM01"},
		{engine.Overflow, "AM02"},
		{engine.ReturnExceedsPayment, "AM02"},
		{engine.AccountUnknown, "AC02"},
		{engine.PayeeAccountUnknown, "AC03"},
		{engine.PayeeUnknown, "CNOR"},
		{engine.ParticipantSuspended, "AG10"},
		{engine.PayeeSuspended, "AG11"},
		{engine.SameParticipant, "AG12"},
		{engine.ComplianceRejected, "RR04"},
		{engine.OriginalUnknown, "AG09"},
		{engine.NotCancellable, "FF12"},
		{engine.PriorityInvalid, "FF03"},
	} {
		if got := ReasonCode(tc.r); got != tc.want {
			t.Errorf("ReasonCode(%s) = %s; want %s", tc.r, got, tc.want)
		}
	}
	if got := ReasonCode(engine.Reason(engine.ReasonCount + 5)); got != ReasonTechnical {
		t.Errorf("ReasonCode(unknown) = %s; want %s", got, ReasonTechnical)
	}
}

func TestStatus(t *testing.T) {
	for _, tc := range []struct {
		st     engine.Status
		reason engine.Reason
		want   iso20022.Status
		code   iso20022.Reason
		text   string
	}{
		{engine.StatusSettled, engine.OK, "ACSC", "", ""},
		{engine.StatusHeld, engine.OK, "PDNG", "", "held for compliance review"},
		{engine.StatusCancelled, engine.OK, "CANC", "", ""},
		{engine.StatusRejected, engine.ComplianceRejected, "RJCT", "RR04", "mutua: compliance_rejected"},
		{engine.StatusExpired, engine.OK, "RJCT", "AB03", "mutua: pending_expired"},
		{engine.StatusQueued, engine.OK, "PDNG", "", ""},
	} {
		got, info := Status(tc.st, tc.reason)
		var code iso20022.Reason
		text := ""
		if len(info) > 0 {
			code = iso20022.Reason(info[0].Rsn.Cd)
			text = strings.Join(info[0].AddtlInf, "")
		}
		if got != tc.want || code != tc.code || text != tc.text {
			t.Errorf("Status(%s, %s) = %s %s %q; want %s %s %q", tc.st, tc.reason, got, code, text, tc.want, tc.code, tc.text)
		}
	}
	got, info := ResultStatus(&engine.Result{Reason: engine.InsufficientLiquidity, Status: engine.StatusRejected})
	if got != "RJCT" || info[0].Rsn.Cd != "AM04" || info[0].AddtlInf[0] != "mutua: insufficient_liquidity" {
		t.Errorf("ResultStatus(insufficient_liquidity) = %s %+v", got, info)
	}
	got, info = ResultStatus(&engine.Result{Status: engine.StatusSettled, Duplicate: true})
	if got != "ACSC" || len(info) != 1 || !strings.HasPrefix(info[0].AddtlInf[0], "duplicate") {
		t.Errorf("ResultStatus(duplicate) = %s %+v", got, info)
	}
}

func TestParticipantBIC(t *testing.T) {
	dir := newFakeDir("SBININBBXXX", "ICICINBB", "BKCHCNBJ300")
	for _, tc := range []struct {
		bic, want string
		found     bool
	}{
		{"SBININBBXXX", "SBININBBXXX", true},
		{"SBININBB", "SBININBBXXX", true},
		{"ICICINBB", "ICICINBB", true},
		{"ICICINBBXXX", "ICICINBB", true},
		{"BKCHCNBJ300", "BKCHCNBJ300", true},
		{"BKCHCNBJ", "", false}, // a branch is not the head office
		{"BKCHCNBJXXX", "", false},
		{"", "", false},
	} {
		got, found := Participant(dir, tc.bic)
		if got != tc.want || found != tc.found {
			t.Errorf("Participant(%q) = %q, %v; want %q, %v", tc.bic, got, found, tc.want, tc.found)
		}
	}
	if !SameBIC("SBININBB", "SBININBBXXX") || SameBIC("SBININBB", "SBININBB001") || SameBIC("", "") {
		t.Error("SameBIC disagrees with ISO 9362 office identity")
	}
}

// TestMapValidCorpus maps every valid pacs.008 and pacs.009 of the codec's
// corpus, sent by its instructing agent: every transaction becomes a
// payment with the message's amount, UETR and parties.
func TestMapValidCorpus(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("..", "iso20022", "testdata", "valid", "pacs.00[89]*.xml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no corpus: %v", err)
	}
	dir := newFakeDir(corpusBICs...)
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			m, errs := iso20022.Parse(b)
			if len(errs) > 0 {
				t.Fatal(errs)
			}
			caller := m.CreditTransfer.Txs[0].InstgAgt.BICFI
			in, err := Map(m, errs, caller, dir, testNow)
			if err != nil {
				t.Fatal(err)
			}
			for i, tx := range m.CreditTransfer.Txs {
				c := in.Cmds[i]
				if c == nil {
					t.Fatalf("tx %d: no command; status %s %+v", i+1, in.Report.TxInfAndSts[i].TxSts, in.Report.TxInfAndSts[i].StsRsnInf)
				}
				if c.Kind != engine.KindPay || c.Participant != caller || c.Payee != tx.InstdAgt.BICFI ||
					c.Currency != tx.IntrBkSttlmAmt.Currency || uint64(c.Amount) != tx.IntrBkSttlmAmt.Value ||
					FormatUUID(c.UETR) != tx.PmtID.UETR || c.Key != "iso:"+tx.PmtID.UETR || c.EndToEndID != tx.PmtID.EndToEndID {
					t.Errorf("tx %d: command %+v does not carry the transaction", i+1, c)
				}
			}
		})
	}
}

func TestMapCreditDetails(t *testing.T) {
	dir := newFakeDir(corpusBICs...)
	steel := mapText(t, readCorpus(t, "valid/pacs.008.001.08_inr-to-rub_steel_bare.xml"), "SBININBBXXX", dir).Cmds[0]
	want := engine.Command{Kind: engine.KindPay, Participant: "SBININBBXXX", Payee: "SABRRUMMXXX", Currency: "INR", Amount: 1250000050,
		Key: "iso:9fe0f849-8380-4d85-b6d2-59be0ddf8bdd", UETR: steel.UETR, EndToEndID: "TSE-INV-88231",
		DebtorName: "Tata Steel Exports Ltd", CreditorName: "Severstal Trading LLC",
		Remittance: "Invoice SV-88231 hot-rolled coil 2,400 t CFR Nhava Sheva", Priority: engine.PriorityHigh}
	if diff := cmp.Diff(want, *steel); diff != "" {
		t.Errorf("steel payment (-want +got):\n%s", diff)
	}
	if got := FormatUUID(steel.UETR); got != "9fe0f849-8380-4d85-b6d2-59be0ddf8bdd" {
		t.Errorf("UETR = %s", got)
	}
	liq := mapText(t, readCorpus(t, "valid/pacs.009.001.08_rub_central-bank-liquidity.xml"), "CBRFRUMM", dir).Cmds[0]
	if liq == nil || liq.Priority != engine.PriorityUrgent || liq.Payee != "SABRRUMMXXX" || liq.Participant != "CBRFRUMM" {
		t.Errorf("central bank liquidity (URGP, URGT, sent as BIC8) = %+v; want urgent from CBRFRUMM to SABRRUMMXXX", liq)
	}
	cover := mapText(t, readCorpus(t, "valid/pacs.009.001.09_cny_cover_bah.xml"), "BKCHCNBJXXX", dir).Cmds[0]
	if cover == nil || cover.DebtorName != "Sinochem International Corporation" || cover.CreditorName != "Vale S.A." || cover.Payee != "PBOCCNBJXXX" {
		t.Errorf("cover payment = %+v; want the underlying customers screened, paid to the instructed agent", cover)
	}
	iron := mapText(t, readCorpus(t, "valid/pacs.008.001.09_cny-to-brl_iron-ore_bah.xml"), "BKCHCNBJXXX", dir).Cmds[0]
	if iron == nil || iron.Remittance != "CINV VALE-EXP-77120 2026-02-27; SCOR RF18539007547034" || iron.Priority != engine.PriorityNormal {
		t.Errorf("structured remittance = %+v; want the referred document and creditor reference, normal priority", iron)
	}
}

// TestMapRejections changes one thing in a valid message and expects the
// transaction (or, for message-level rules, the group) rejected with one
// reason, and no command.
func TestMapRejections(t *testing.T) {
	steel := readCorpus(t, "valid/pacs.008.001.08_inr-to-rub_steel_bare.xml")
	bah := readCorpus(t, "valid/pacs.008.001.09_cny-to-brl_iron-ore_bah.xml")
	instd := "<BICFI>SABRRUMMXXX</BICFI>\n        </FinInstnId>\n      </InstdAgt>"
	for _, tc := range []struct {
		name, text, caller string
		dir                *fakeDir
		group              bool
		want               iso20022.Reason
	}{
		{"not the instructing agent", steel, "ICICINBBXXX", nil, false, "AGNT"},
		{"payee not a member", steel, "SBININBBXXX", newFakeDir("SBININBBXXX"), false, "CNOR"},
		{"payee is the payer", strings.Replace(steel, instd, strings.Replace(instd, "SABRRUMMXXX", "SBININBB", 1), 1), "SBININBBXXX", nil, false, "AG12"},
		{"no UETR", strings.Replace(steel, "<UETR>9fe0f849-8380-4d85-b6d2-59be0ddf8bdd</UETR>", "", 1), "SBININBBXXX", nil, false, "CH21"},
		{"value-dated", strings.ReplaceAll(steel, "<IntrBkSttlmDt>2026-03-11</IntrBkSttlmDt>", "<IntrBkSttlmDt>2026-03-13</IntrBkSttlmDt>"), "SBININBBXXX", nil, false, "DT04"},
		{"settled in an agent's books", strings.Replace(steel, "<SttlmMtd>CLRG</SttlmMtd>", "<SttlmMtd>INDA</SttlmMtd>", 1), "SBININBBXXX", nil, true, "CH16"},
		{"header from another bank", bah, "SBININBBXXX", nil, true, "AGNT"},
		{"codec error", strings.Replace(steel, ">12500000.50<", ">12500000.505<", 1), "SBININBBXXX", nil, false, "AM12"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := tc.dir
			if dir == nil {
				dir = newFakeDir(corpusBICs...)
			}
			in := mapText(t, tc.text, tc.caller, dir)
			r := in.Finish("MSG", testNow, tc.caller)
			g := r.OrgnlGrpInfAndSts[0]
			if tc.group {
				if g.GrpSts != "RJCT" || len(r.TxInfAndSts) != 0 || g.StsRsnInf[0].Rsn.Cd != string(tc.want) {
					t.Fatalf("group %s %+v with %d transactions; want RJCT %s and none", g.GrpSts, g.StsRsnInf, len(r.TxInfAndSts), tc.want)
				}
				return
			}
			st := r.TxInfAndSts[0]
			if st.TxSts != "RJCT" || st.StsRsnInf[0].Rsn.Cd != string(tc.want) || len(in.Cmds) > 0 && in.Cmds[0] != nil {
				t.Fatalf("tx %s %+v (command %v); want RJCT %s and no command", st.TxSts, st.StsRsnInf, in.Cmds, tc.want)
			}
			if g.GrpSts != "RJCT" || g.StsRsnInf[0].Rsn.Cd != string(tc.want) {
				t.Errorf("group %s %+v; want RJCT %s like its only transaction", g.GrpSts, g.StsRsnInf, tc.want)
			}
			if _, err := iso20022.RenderStatusReport(r); err != nil {
				t.Errorf("RenderStatusReport = %v", err)
			}
		})
	}
}

func mustUUID(t testing.TB, s string) [16]byte {
	u, ok := parseUUID(s)
	if !ok {
		t.Fatalf("bad UUID %q", s)
	}
	return u
}

func TestMapReturn(t *testing.T) {
	text := readCorpus(t, "valid/pacs.004.001.09_inr_closed-account.xml")
	orig := Original{ID: 17, Kind: engine.KindPay, Status: engine.StatusSettled, Payer: "SBININBBXXX", Payee: "SABRRUMMXXX",
		Currency: "INR", Amount: 1250000050, EndToEndID: "TSE-INV-88231", UETR: mustUUID(t, "9fe0f849-8380-4d85-b6d2-59be0ddf8bdd")}
	dir := newFakeDir(corpusBICs...)
	dir.payments = []Original{orig}
	in := mapText(t, text, "SABRRUMMXXX", dir)
	c := in.Cmds[0]
	if c == nil {
		t.Fatalf("no command: %+v", in.Report.TxInfAndSts[0])
	}
	if c.Kind != engine.KindReturn || c.PendingID != 17 || c.Amount != 1250000050 || c.Participant != "SABRRUMMXXX" ||
		c.EndToEndID != "SABR-RTN-09-1" || !strings.HasPrefix(c.Remittance, "AC04 Creditor account") || !strings.HasPrefix(c.Key, "rtr:") || c.UETR[6]>>4 != 4 {
		t.Errorf("return command %+v", c)
	}
	if again := mapText(t, text, "SABRRUMMXXX", dir).Cmds[0]; again.Key != c.Key || again.UETR != c.UETR {
		t.Error("the same return maps to another key or UETR: a resent pacs.004 would return twice")
	}
	if got := ReturnReason(c.Remittance); got.Rsn.Cd != "AC04" || !strings.HasPrefix(got.AddtlInf[0], "Creditor account") {
		t.Errorf("ReturnReason(%q) = %+v", c.Remittance, got)
	}

	noUETR := strings.Replace(text, "<OrgnlUETR>9fe0f849-8380-4d85-b6d2-59be0ddf8bdd</OrgnlUETR>", "", 1)
	if c := mapText(t, noUETR, "SABRRUMMXXX", dir).Cmds[0]; c == nil || c.PendingID != 17 {
		t.Errorf("return by OrgnlEndToEndId: %+v; want the original found", c)
	}
	twice := *dir
	dup := orig
	dup.ID, dup.UETR = 18, mustUUID(t, "1fe0f849-8380-4d85-b6d2-59be0ddf8bdd")
	twice.payments = []Original{orig, dup}
	for _, tc := range []struct {
		name, text, caller string
		dir                *fakeDir
		want               iso20022.Reason
	}{
		{"not the original payee", text, "SBININBBXXX", dir, "AGNT"},
		{"original unknown", text, "SABRRUMMXXX", newFakeDir(corpusBICs...), "AG09"},
		{"ambiguous end-to-end id", noUETR, "SABRRUMMXXX", &twice, "AG09"},
		{"other currency", strings.ReplaceAll(strings.Replace(text, "<OrgnlIntrBkSttlmAmt Ccy=\"INR\">12500000.50</OrgnlIntrBkSttlmAmt>", "", 1), `Ccy="INR"`, `Ccy="RUB"`), "SABRRUMMXXX", dir, "CURR"},
		{"instructed agent not the payer", strings.Replace(text, "<BICFI>SBININBBXXX</BICFI>", "<BICFI>ICICINBBXXX</BICFI>", 1), "SABRRUMMXXX", dir, "AGNT"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := mapText(t, tc.text, tc.caller, tc.dir)
			if len(in.Report.TxInfAndSts) == 0 {
				t.Fatalf("no transactions: group %+v", in.Report.OrgnlGrpInfAndSts)
			}
			st := in.Report.TxInfAndSts[0]
			if st.TxSts != "RJCT" || st.StsRsnInf[0].Rsn.Cd != string(tc.want) || in.Cmds[0] != nil {
				t.Errorf("status %s %+v; want RJCT %s and no command", st.TxSts, st.StsRsnInf, tc.want)
			}
		})
	}
}

func TestMapCancellation(t *testing.T) {
	text := readCorpus(t, "valid/camt.056.001.09_zar_two-cancellations.xml")
	held := Original{ID: 5, Kind: engine.KindPay, Status: engine.StatusHeld, Payer: "SBZAZAJJXXX", Payee: "EBILAEADXXX", Currency: "ZAR", Amount: 175000000,
		UETR: mustUUID(t, "bc9908eb-3c4e-4112-b23c-09ce535af1fa")}
	done := Original{ID: 6, Kind: engine.KindPay, Status: engine.StatusCancelled, Payer: "SBZAZAJJXXX", Payee: "EBILAEADXXX", Currency: "ZAR", Amount: 225000025,
		UETR: mustUUID(t, "d2f4c15f-629c-4931-aeeb-ca8d7cb9cd86")}
	dir := newFakeDir(corpusBICs...)
	dir.payments = []Original{held, done}
	in := mapText(t, text, "SBZAZAJJXXX", dir)
	if c := in.Cmds[0]; c == nil || c.Kind != engine.KindCancel || c.PendingID != 5 || c.Participant != "SBZAZAJJXXX" {
		t.Errorf("cancellation of the held payment = %+v", c)
	}
	if st := in.Report.TxInfAndSts[1]; in.Cmds[1] != nil || st.TxSts != StatusCancelled || st.StsID != "SBZA-CXL-77-1" {
		t.Errorf("cancellation of a cancelled payment = %+v, %+v; want CANC again and no command", in.Cmds[1], st)
	}
	in.SetResult(0, &engine.Result{Payment: 5, Status: engine.StatusCancelled})
	r := in.Finish("MSG", testNow, "SBZAZAJJXXX")
	if g := r.OrgnlGrpInfAndSts[0]; g.OrgnlMsgID != "SBZA-CXL-77" || g.OrgnlMsgNmID != "camt.056.001.09" || g.GrpSts != "" || len(g.NbOfTxsPerSts) != 1 {
		t.Errorf("group %+v", g)
	}
	if _, err := iso20022.RenderStatusReport(r); err != nil {
		t.Errorf("RenderStatusReport = %v", err)
	}
	if in := mapText(t, text, "EBILAEADXXX", dir); in.Report.OrgnlGrpInfAndSts[0].GrpSts != "RJCT" || len(in.Report.TxInfAndSts) != 0 {
		t.Errorf("cancellation from another bank: %+v; want the group rejected", in.Report.OrgnlGrpInfAndSts[0])
	}
	dir.payments[0].Payer = "ICICINBBXXX"
	if st := mapText(t, text, "SBZAZAJJXXX", dir).Report.TxInfAndSts[0]; st.TxSts != "RJCT" || st.StsRsnInf[0].Rsn.Cd != "AG09" {
		t.Errorf("cancelling another bank's payment: %+v; want RJCT AG09", st)
	}
}

func TestFinishGroupStatus(t *testing.T) {
	text := readCorpus(t, "valid/pacs.008.001.08_inr-to-rub_four-transactions_bah.xml")
	dir := newFakeDir(corpusBICs...)
	in := mapText(t, text, "ICICINBBXXX", dir)
	in.SetResult(0, &engine.Result{Payment: 1, Status: engine.StatusSettled})
	in.SetResult(1, &engine.Result{Payment: 2, Status: engine.StatusHeld})
	in.SetResult(2, &engine.Result{Reason: engine.InsufficientLiquidity, Status: engine.StatusRejected})
	in.SetRecorded(3, 4, engine.StatusSettled, engine.OK)
	r := in.Finish("MUTUA-1", testNow, "ICICINBBXXX")
	g := r.OrgnlGrpInfAndSts[0]
	if g.GrpSts != "PART" || len(g.NbOfTxsPerSts) != 3 || g.NbOfTxsPerSts[0].DtldSts != "ACSC" || g.NbOfTxsPerSts[0].DtldNbOfTxs != 2 {
		t.Errorf("group %+v; want PART with 2 ACSC, 1 PDNG, 1 RJCT", g)
	}
	if st := r.TxInfAndSts[0]; st.ClrSysRef != "1" || st.FctvIntrBkSttlmDt != iso20022.DateOf(testNow) {
		t.Errorf("settled transaction %+v; want the payment id and today's settlement date", st)
	}
	b, err := iso20022.RenderStatusReport(r)
	if err != nil {
		t.Fatal(err)
	}
	back, errs := iso20022.Parse(b)
	if len(errs) > 0 || back.StatusReport.TxInfAndSts[2].StsRsnInf[0].Rsn.Cd != "AM04" {
		t.Errorf("Parse(rendered) = %v", errs)
	}
}

func TestRemittanceAndClean(t *testing.T) {
	long := strings.Repeat("é", 100)
	if got := remittance(&iso20022.Remittance{Ustrd: []string{long, long}}); len([]rune(got)) != RemittanceLenMax {
		t.Errorf("remittance of 201 characters kept %d; want %d", len([]rune(got)), RemittanceLenMax)
	}
	if got := clean(" Tata\tSteel \n Ltd ", 140); got != "Tata Steel Ltd" {
		t.Errorf("clean = %q", got)
	}
}

// BenchmarkMapPacs008 measures the inbound path before the node: parse,
// validate and map one typical single-transaction pacs.008.
func BenchmarkMapPacs008(b *testing.B) {
	data := []byte(readCorpus(b, "valid/pacs.008.001.08_inr-to-rub_steel_bare.xml"))
	dir := newFakeDir(corpusBICs...)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		m, errs := iso20022.Parse(data)
		in, err := Map(m, errs, "SBININBBXXX", dir, testNow)
		if err != nil || in.Cmds[0] == nil {
			b.Fatal(err, in.Report.TxInfAndSts)
		}
	}
}
