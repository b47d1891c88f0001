package blackbox

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mutua-org/mutua/internal/httpapi"
)

// TestCLI drives a node with the client commands, as an operator and then
// as a participant, through MUTUA_URL and MUTUA_TOKEN.
func TestCLI(t *testing.T) {
	n := startNode(t, t.TempDir())
	run := func(token string, args ...string) (string, string, int) {
		t.Helper()
		cmd := exec.Command(binary, args...)
		cmd.Env = append(os.Environ(), "MUTUA_URL="+n.url, "MUTUA_TOKEN="+token)
		var out, errOut bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errOut
		err := cmd.Run()
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		return out.String(), errOut.String(), code
	}
	must := func(token string, args ...string) string {
		t.Helper()
		out, errOut, code := run(token, args...)
		if code != 0 {
			t.Fatalf("mutua %s: exit %d\n%s%s", strings.Join(args, " "), code, out, errOut)
		}
		return out
	}
	op := "@" + filepath.Join(n.dir, "operator.token")
	must(op, "participant", "add", "--id", "RBISINBBXXX", "--name", "Reserve Bank of India", "--country", "IN", "--roles", "issuer")
	must(op, "currency", "enable", "--code", "INR", "--issuer", "RBISINBBXXX")
	for _, id := range []string{"SBININBBXXX", "SABRRUMMXXX"} {
		must(op, "participant", "add", "--id", id, "--name", "Bank "+id, "--country", id[4:6])
		must(op, "account", "open", "--participant", id, "--currency", "INR", "--floor", "-1000.00")
	}
	must(op, "fund", "--participant", "SABRRUMMXXX", "--currency", "INR", "--amount", "5000.00", "--key", "f1")
	if out := must(op, "participant", "list"); !strings.Contains(out, "SABRRUMMXXX") || !strings.Contains(out, "issuer") {
		t.Errorf("participant list:\n%s", out)
	}
	var tok httpapi.Token
	if err := json.Unmarshal([]byte(must(op, "token", "create", "--participant", "SABRRUMMXXX", "--name", "treasury", "--json")), &tok); err != nil || tok.Token == "" {
		t.Fatalf("token create --json: %v %+v", err, tok)
	}

	out := must(tok.Token, "pay", "--to", "SBININBBXXX", "--currency", "INR", "--amount", "5999.99", "--key", "inv-77", "--remittance", "INV 77")
	if !strings.Contains(out, "settled") || !strings.Contains(out, "5999.99 INR") {
		t.Errorf("pay:\n%s", out)
	}
	if _, errOut, code := run(tok.Token, "pay", "--to", "SBININBBXXX", "--currency", "INR", "--amount", "1.001"); code != 1 || !strings.Contains(errOut, "amount_precision") {
		t.Errorf("pay with too many decimals: exit %d, %s; want exit 1 naming amount_precision", code, errOut)
	}
	if _, errOut, code := run(tok.Token, "pay", "--to", "SBININBBXXX", "--currency", "INR", "--amount", "100"); code != 1 || !strings.Contains(errOut, "insufficient_liquidity") {
		t.Errorf("pay beyond the credit line: exit %d, %s; want insufficient_liquidity", code, errOut)
	}
	var page httpapi.PaymentPage
	if err := json.Unmarshal([]byte(must(tok.Token, "payments", "--json")), &page); err != nil || len(page.Payments) != 2 {
		t.Errorf("payments --json: %v, %+v; want the funding and the payment", err, page)
	}
	if out := must(tok.Token, "balance"); !strings.Contains(out, "-999.99") {
		t.Errorf("balance:\n%s", out)
	}
	if out := must(tok.Token, "statement", "--currency", "INR"); !strings.Contains(out, "closing -999.99") {
		t.Errorf("statement:\n%s", out)
	}
	if out := must(tok.Token, "payment", "2"); !strings.Contains(out, "inv-77") || !strings.Contains(out, "SBININBBXXX") {
		t.Errorf("payment 2:\n%s", out)
	}
	if _, errOut, code := run(tok.Token, "participant", "list"); code != 1 || !strings.Contains(errOut, "forbidden") {
		t.Errorf("participant list as a participant: exit %d, %s; want forbidden", code, errOut)
	}
	if _, _, code := run("", "balance"); code != 2 {
		t.Errorf("balance without a token: exit %d; want 2", code)
	}
	if out, _, code := run("", "pay", "-h"); code != 0 {
		t.Errorf("pay -h: exit %d\n%s", code, out)
	}
}
