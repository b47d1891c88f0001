package iso20022

import (
	"fmt"
	"io"
	"os"
	"strings"
)

// RunValidate implements `mutua iso20022 validate FILE...`: it parses and
// validates each file and prints, per file, "FILE: ok" or one line per
// error with its element path, rule and ISO reason code. It returns the
// exit status: 0 only if every file is valid, 1 if any is invalid or
// unreadable, 2 without files.
func RunValidate(files []string, stdout io.Writer) int {
	if len(files) == 0 {
		fmt.Fprintln(stdout, "usage: mutua iso20022 validate FILE...")
		return 2
	}
	status := 0
	for _, name := range files {
		data, err := readFile(name)
		if err != nil {
			fmt.Fprintf(stdout, "%s: error: %v\n", name, err)
			status = 1
			continue
		}
		m, errs := Parse(data)
		if len(errs) == 0 {
			fmt.Fprintf(stdout, "%s: ok (%s%s)\n", name, m.Def, summary(m))
			continue
		}
		status = 1
		for _, e := range errs {
			path := e.Path
			if path == "" {
				path = "-"
			}
			fmt.Fprintf(stdout, "%s: %s %s %s: %s\n", name, path, e.Rule, e.Reason, e.Msg)
		}
	}
	return status
}

func readFile(name string) ([]byte, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return ReadBody(f)
}

func summary(m *Message) string {
	s := ""
	if m.AppHdr != nil {
		s = " with AppHdr"
	}
	switch {
	case m.CreditTransfer != nil:
		s += plural(len(m.CreditTransfer.Txs), "transaction")
	case m.PaymentReturn != nil:
		s += plural(len(m.PaymentReturn.Txs), "return")
	case m.CancellationRequest != nil:
		n := 0
		for _, u := range m.CancellationRequest.Undrlyg {
			n += len(u.TxInf)
		}
		s += plural(n, "cancellation")
	case m.StatusReport != nil:
		s += plural(len(m.StatusReport.TxInfAndSts), "transaction status")
	case m.AccountReport != nil:
		s += plural(len(m.AccountReport.Ntry), "entry")
	}
	return s
}

func plural(n int, noun string) string {
	switch {
	case n == 1:
		return ", 1 " + noun
	case strings.HasSuffix(noun, "y"):
		return fmt.Sprintf(", %d %sies", n, noun[:len(noun)-1])
	case strings.HasSuffix(noun, "s"):
		return fmt.Sprintf(", %d %ses", n, noun)
	}
	return fmt.Sprintf(", %d %ss", n, noun)
}
