package screencli

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mutua-org/mutua/internal/screening"
)

func run(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := RunScreen(args, &out, &errb)
	return code, out.String(), errb.String()
}

func TestScreenNames(t *testing.T) {
	code, out, errs := run(t, "Sadam Husein Al-Tikrity", "--threshold", "850", "John Smith")
	if code != 0 {
		t.Fatalf("RunScreen = %d; stderr %s", code, errs)
	}
	for _, want := range []string{
		"lists: un-", "ofac-", "threshold 850",
		"Sadam Husein Al-Tikrity: HIT", "IQi.001", "SADDAM HUSSEIN AL-TIKRITI", "sadam~saddam (variant 1000)",
		"John Smith: no hit",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("RunScreen output lacks %q:\n%s", want, out)
		}
	}
}

func TestScreenJSON(t *testing.T) {
	code, out, errs := run(t, "--json", "--kind", "individual", "--country", "IQ", "--dob", "1937", "Saddam Hussein Al-Tikriti")
	if code != 0 {
		t.Fatalf("RunScreen = %d; stderr %s", code, errs)
	}
	var got struct {
		Threshold    int      `json:"threshold"`
		ListVersions []string `json:"list_versions"`
		Results      []struct {
			Name    string `json:"name"`
			Hit     bool   `json:"hit"`
			Matches []struct {
				Reference   string `json:"reference"`
				Score       int    `json:"score"`
				Explanation string `json:"explanation"`
			} `json:"matches"`
		} `json:"results"`
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("output is not JSON: %v\n%s", err, out)
	}
	if len(got.Results) != 1 || !got.Results[0].Hit || got.Results[0].Matches[0].Reference != "IQi.001" {
		t.Fatalf("results = %+v; want a hit on IQi.001", got.Results)
	}
	if ex := got.Results[0].Matches[0].Explanation; !strings.Contains(ex, "country IQ agrees") || !strings.Contains(ex, "year of birth 1937 agrees") {
		t.Errorf("explanation %q; want the country and the year of birth", ex)
	}
}

func TestScreenEval(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "eval.csv")
	data := "name,expected\nSadam Husein Al-Tikrity,IQi.001\nJohn Smith,\nZzyzx Qwerty,KPe.001\nUsama bin Laden,\n"
	if err := os.WriteFile(file, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errs := run(t, "eval", file)
	if code != 0 {
		t.Fatalf("RunScreen eval = %d; stderr %s", code, errs)
	}
	for _, want := range []string{"recall:              50.00% (1/2)", "false-positive rate: 50.00% (1/2)", `"Zzyzx Qwerty": want KPe.001`, `"Usama bin Laden": OFAC-6365`} {
		if !strings.Contains(out, want) {
			t.Errorf("eval output lacks %q:\n%s", want, out)
		}
	}
	code, out, errs = run(t, "eval", "--json", file)
	if code != 0 {
		t.Fatalf("RunScreen eval --json = %d; stderr %s", code, errs)
	}
	var got map[string]json.RawMessage
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("output is not JSON: %v\n%s", err, out)
	}
	for _, k := range []string{"recall", "false_positive_rate", "misses", "false_positives"} {
		if _, ok := got[k]; !ok {
			t.Errorf("eval --json lacks key %q:\n%s", k, out)
		}
	}
	var recall struct {
		BasisPoints int `json:"basis_points"`
	}
	if err := json.Unmarshal(got["recall"], &recall); err != nil || recall.BasisPoints != 5000 {
		t.Errorf("recall = %s; want basis_points 5000", got["recall"])
	}
}

func TestScreenOwnList(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "watch.csv")
	data := screening.CSVHeader + "\nW-1,individual,Ivan Petrovich Sidorov,,RU,1971,watch\n"
	if err := os.WriteFile(file, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errs := run(t, "--list", file, "Иван Сидоров")
	if code != 0 {
		t.Fatalf("RunScreen --list = %d; stderr %s", code, errs)
	}
	if !strings.Contains(out, "W-1") || !strings.Contains(out, "lists: watch-") || strings.Contains(out, "un-") {
		t.Errorf("output %q; want a match from the given list only", out)
	}
	// OFAC files side by side, found from sdn.csv.
	for _, f := range []string{"sdn", "alt", "add"} {
		b, err := os.ReadFile("../testdata/ofac-" + f + "-small.csv")
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, f+".csv"), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	code, out, errs = run(t, "--list", filepath.Join(dir, "sdn.csv"), "Aiman al-Zawahri")
	if code != 0 || !strings.Contains(out, "OFAC-2676") {
		t.Errorf("RunScreen --list sdn.csv = %d, %q, %q; want OFAC-2676", code, out, errs)
	}
}

func TestScreenUsage(t *testing.T) {
	tests := []struct {
		args []string
		code int
	}{
		{nil, 2},
		{[]string{"--threshold", "2000", "x"}, 2},
		{[]string{"--nope", "x"}, 2},
		{[]string{"--kind", "robot", "x"}, 2},
		{[]string{"--dob", "yesterday", "x"}, 2},
		{[]string{"eval", "a.csv", "b.csv"}, 2},
		{[]string{"eval", "/nonexistent.csv"}, 1},
		{[]string{"--list", "/nonexistent.xml", "x"}, 1},
		{[]string{"-h"}, 0},
	}
	for _, tt := range tests {
		if code, _, _ := run(t, tt.args...); code != tt.code {
			t.Errorf("RunScreen(%q) = %d; want %d", tt.args, code, tt.code)
		}
	}
}

func TestBench(t *testing.T) {
	idx, _, err := defaultIndex()
	if err != nil {
		t.Fatal(err)
	}
	rep := Bench(idx, SamplePayments(200))
	if rep.Payments != 180 || rep.Names != 720 || rep.PaymentsPerSec <= 0 || rep.P99 < rep.P50 {
		t.Errorf("Bench = %+v", rep)
	}
}
