package isomap

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"testing"

	"github.com/mutua-org/mutua/internal/engine"
	"github.com/mutua-org/mutua/internal/iso20022"
)

var updateDoc = flag.Bool("update", false, "rewrite the reason table of docs/iso20022.md from reason.go")

// isoMeanings are the ISO 20022 external status reasons Mutua reports, as
// the external code list defines them.
var isoMeanings = map[iso20022.Reason]string{
	"AB03": "settlement aborted due to timeout",
	"AC02": "debtor account number invalid or missing",
	"AC03": "creditor account number invalid or missing",
	"AG01": "transaction forbidden on this type of account",
	"AG03": "transaction type not supported",
	"AG09": "original payment never received",
	"AG10": "agent suspended",
	"AG11": "creditor agent suspended",
	"AG12": "transfers within one institution not allowed",
	"AM01": "zero amount",
	"AM02": "amount greater than allowed maximum",
	"AM03": "currency outside the agreement",
	"AM04": "insufficient funds",
	"AM05": "duplication",
	"AM11": "transaction currency invalid or missing",
	"AM12": "amount invalid or missing",
	"AM23": "amount exceeds settlement limit",
	"BE09": "country code missing or invalid",
	"CH16": "content is incorrect",
	"CNOR": "creditor bank not registered under this BIC",
	"CURR": "currency of the payment incorrect",
	"DNOR": "debtor bank not registered under this BIC",
	"ED05": "settlement failed",
	"FF03": "payment type information missing or invalid",
	"FF10": "processing error on Mutua's side",
	"FF12": "original not eligible given its current status",
	"RC01": "bank identifier incorrect",
	"RR04": "regulatory reason",
	"RR12": "identification invalid or missing",
}

// TestISODoc keeps the reason table of docs/iso20022.md equal to
// reasonCodes: every engine reason, its ISO 20022 code and its meaning.
func TestISODoc(t *testing.T) {
	var b bytes.Buffer
	b.WriteString("\nEvery engine reason, in the engine's order of precedence (see [reasons.md](reasons.md)), and the ISO 20022 status reason a pacs.002 gives for it. The mapping's own checks use the same codes (`CNOR` for an unknown payee BIC, `AG12` for a payment to oneself, `AG09` for an unknown original) and add `AGNT` (the sender is not the instructing agent or assigner), `CH21` (no UETR), `DT04` (a future settlement date), `CURR` (a return in another currency) and `AG03` (group cancellation); the codec's errors carry their own codes (`FF01`, `CH16`, `CH17`, `CH21`, `AM10`, `AM12`, `AM18`, `RC01`, ...).\n\n")
	b.WriteString("| engine reason | ISO 20022 | meaning |\n|---|---|---|\n")
	for r := engine.Reason(1); int(r) < engine.ReasonCount; r++ {
		code := ReasonCode(r)
		meaning, found := isoMeanings[code]
		if !found {
			t.Errorf("reason code %s (for %s) has no meaning in isoMeanings", code, r)
		}
		fmt.Fprintf(&b, "| `%s` | `%s` | %s |\n", r, code, meaning)
	}
	b.WriteString("\n")
	path := "../../docs/iso20022.md"
	doc, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	const start, end = "do not edit -->\n", "<!-- end of reasons -->"
	i, j := bytes.Index(doc, []byte(start)), bytes.Index(doc, []byte(end))
	if i < 0 || j < i {
		t.Fatalf("%s has no generated reason table between its markers", path)
	}
	i += len(start)
	if *updateDoc {
		doc = append(append(append([]byte{}, doc[:i]...), b.Bytes()...), doc[j:]...)
		if err := os.WriteFile(path, doc, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if !bytes.Equal(doc[i:j], b.Bytes()) {
		t.Errorf("%s is out of date with reason.go; run go test ./internal/isomap -run TestISODoc -update", path)
	}
}
