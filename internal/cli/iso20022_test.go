package cli

import (
	"bytes"
	"context"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mutua-org/mutua/internal/daemon"
	"github.com/mutua-org/mutua/internal/engine"
	"github.com/mutua-org/mutua/internal/httpapi"
)

func isoRun(args ...string) (int, string, string) {
	var stdout, stderr bytes.Buffer
	code := Run(args, &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

const isoCorpus = "../iso20022/testdata"

func TestISO20022Validate(t *testing.T) {
	valid := filepath.Join(isoCorpus, "valid", "pacs.008.001.08_inr-to-rub_steel_bare.xml")
	invalid := filepath.Join(isoCorpus, "invalid", "AM12_amount-precision_inr-three-decimals.xml")
	code, out, _ := isoRun("iso20022", "validate", valid)
	if code != 0 || !strings.Contains(out, ": ok (pacs.008.001.08, 1 transaction)") {
		t.Errorf("validate valid = %d %q; want 0 and ok", code, out)
	}
	code, out, _ = isoRun("iso20022", "validate", valid, invalid)
	if code != 1 || !strings.Contains(out, "amount-precision AM12") {
		t.Errorf("validate valid invalid = %d %q; want 1 and the AM12 error", code, out)
	}
	if code, _, _ := isoRun("iso20022", "validate"); code != 2 {
		t.Errorf("validate without files = %d; want 2", code)
	}
	if code, _, errOut := isoRun("iso20022", "frobnicate"); code != 2 || !strings.Contains(errOut, "unknown command") {
		t.Errorf("unknown subcommand = %d %q; want 2", code, errOut)
	}
}

// TestISO20022Send sends isoCorpus messages to a real node through the
// command: the pacs.002 on stdout, a summary on stderr, exit status 1 only
// for rejections.
func TestISO20022Send(t *testing.T) {
	ctx := context.Background()
	d, err := daemon.Open(daemon.Config{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	setup := []*engine.Command{
		{Kind: engine.KindAddParticipant, Participant: "RBISINBBXXX", Name: "Reserve Bank of India", Country: "IN", Roles: engine.RoleIssuer},
		{Kind: engine.KindAddParticipant, Participant: "SBININBBXXX", Name: "State Bank of India", Country: "IN", Roles: engine.RoleSettlement},
		{Kind: engine.KindAddParticipant, Participant: "SABRRUMMXXX", Name: "Sberbank", Country: "RU", Roles: engine.RoleSettlement},
		{Kind: engine.KindEnableCurrency, Currency: "INR", Participant: "RBISINBBXXX"},
		{Kind: engine.KindOpenAccount, Participant: "SBININBBXXX", Currency: "INR"},
		{Kind: engine.KindOpenAccount, Participant: "SABRRUMMXXX", Currency: "INR"},
		{Kind: engine.KindFund, Participant: "SBININBBXXX", Currency: "INR", Amount: 2_000_000_000, Key: "f"},
	}
	for _, c := range setup {
		if r, err := d.Submit(ctx, c); err != nil || r.Reason != engine.OK {
			t.Fatalf("setup %s: %v %v", c.Kind, r, err)
		}
	}
	tok, _, err := d.IssueToken(ctx, "SBININBBXXX", "cli test")
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(httpapi.New(d, nil).Handler())
	defer srv.Close()
	tokenFile := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(tokenFile, []byte(tok.String()+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	steel := filepath.Join(isoCorpus, "valid", "pacs.008.001.08_inr-to-rub_steel_bare.xml")
	code, out, errOut := isoRun("iso20022", "send", "--url", srv.URL, "--token", "@"+tokenFile, steel)
	if code != 0 || !strings.Contains(out, "<TxSts>ACSC</TxSts>") || !strings.Contains(errOut, "pacs.002: group ACSC; 1 ACSC") {
		t.Errorf("send = %d\nstdout %s\nstderr %s\nwant 0, the pacs.002 and its summary", code, out, errOut)
	}
	// Sent again: the same answer, marked as a repeat; nothing moves.
	code, out, _ = isoRun("iso20022", "send", "--url", srv.URL, "--token", tok.String(), steel)
	if code != 0 || !strings.Contains(out, "duplicate") {
		t.Errorf("send again = %d %s; want 0 and a repeat", code, out)
	}
	bad := filepath.Join(isoCorpus, "invalid", "AM12_amount-precision_inr-three-decimals.xml")
	code, out, errOut = isoRun("iso20022", "send", "--url", srv.URL, "--token", tok.String(), bad)
	if code != 1 || !strings.Contains(out, "<Cd>AM12</Cd>") || !strings.Contains(errOut, "RJCT (AM12)") {
		t.Errorf("send invalid = %d\nstdout %s\nstderr %s\nwant 1 and RJCT AM12", code, out, errOut)
	}
	if code, _, errOut := isoRun("iso20022", "send", "--url", srv.URL, "--token", "mutua_nope_0123456789abcdef01", steel); code != 1 || !strings.Contains(errOut, "401 unauthenticated") {
		t.Errorf("send with a bad token = %d %q; want 1 and 401", code, errOut)
	}
	if code, _, _ := isoRun("iso20022", "send", "--url", srv.URL, "--token", tok.String()); code != 2 {
		t.Errorf("send without a file = %d; want 2", code)
	}
}
