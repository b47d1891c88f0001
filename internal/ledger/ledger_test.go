package ledger

import (
	"testing"

	"github.com/mutua-org/mutua/internal/money"
)

// book returns a ledger with an issuance account 0 and two bounded accounts
// (1 funded with 100, 2 empty), all in currency 0.
func book(t *testing.T) *Ledger {
	t.Helper()
	l := New()
	l.Open(Account{Unbounded: true})
	l.Open(Account{})
	l.Open(Account{})
	if r := l.Post(Transfer{Debit: 0, Credit: 1, Amount: 100}); r != OK {
		t.Fatalf("funding: %s", r)
	}
	return l
}

func balance(l *Ledger, id AccountID) int64 {
	neg, v := l.Account(id).Balance()
	if neg {
		return -int64(v.Lo)
	}
	return int64(v.Lo)
}

func TestPostChecks(t *testing.T) {
	l := book(t)
	l.Open(Account{Currency: 1})
	tests := []struct {
		t    Transfer
		want Result
	}{
		{Transfer{Debit: 1, Credit: 9, Amount: 1}, ErrAccountUnknown},
		{Transfer{Debit: 1, Credit: 1, Amount: 1}, ErrSameAccount},
		{Transfer{Debit: 1, Credit: 3, Amount: 1}, ErrCurrencyMismatch},
		{Transfer{Debit: 1, Credit: 2, Amount: 101}, ErrExceedsFloor},
		{Transfer{Debit: 1, Credit: 2, Amount: 100}, OK},
		{Transfer{Debit: 1, Credit: 2, Amount: 1}, ErrExceedsFloor},
	}
	for _, tt := range tests {
		if got := l.Post(tt.t); got != tt.want {
			t.Errorf("Post(%+v) = %s; want %s", tt.t, got, tt.want)
		}
	}
	if balance(l, 1) != 0 || balance(l, 2) != 100 || balance(l, 0) != -100 {
		t.Errorf("balances %d %d %d", balance(l, 0), balance(l, 1), balance(l, 2))
	}
}

func TestCreditLineAndCeiling(t *testing.T) {
	l := book(t)
	if !l.SetLimits(1, -50, 0, false) {
		t.Fatal("SetLimits refused a credit line")
	}
	if r := l.Post(Transfer{Debit: 1, Credit: 2, Amount: 150}); r != OK {
		t.Fatalf("debit into the credit line: %s", r)
	}
	if r := l.Post(Transfer{Debit: 1, Credit: 2, Amount: 1}); r != ErrExceedsFloor {
		t.Fatalf("debit past the credit line: %s", r)
	}
	if l.SetLimits(1, 0, 0, false) {
		t.Fatal("SetLimits accepted a floor above the available balance")
	}
	if !l.SetLimits(2, 0, 150, true) || l.Post(Transfer{Debit: 0, Credit: 2, Amount: 1}) != ErrExceedsCeiling {
		t.Fatal("ceiling not enforced")
	}
}

func TestPendingLifecycle(t *testing.T) {
	l := book(t)
	if r := l.Reserve(7, Transfer{Debit: 1, Credit: 2, Amount: 60}, 1000); r != OK {
		t.Fatal(r)
	}
	// Reserved funds are not available for other debits.
	if r := l.Post(Transfer{Debit: 1, Credit: 2, Amount: 41}); r != ErrExceedsFloor {
		t.Fatalf("debit over reserved funds: %s", r)
	}
	if _, r := l.Resolve(7, 61, false, 10); r != ErrPostExceedsPending {
		t.Fatalf("post more than reserved: %s", r)
	}
	done, r := l.Resolve(7, 45, false, 10)
	if r != OK || done.State != Posted || done.Posted != 45 {
		t.Fatalf("partial post: %+v %s", done, r)
	}
	if balance(l, 1) != 55 || balance(l, 2) != 45 || !l.Account(1).DebitsPending.IsZero() {
		t.Fatalf("after partial post: %d %d pending %s", balance(l, 1), balance(l, 2), l.Account(1).DebitsPending)
	}
	if _, r := l.Resolve(7, 0, false, 10); r != ErrPendingUnknown {
		t.Fatalf("second post: %s", r)
	}
	l.Reserve(8, Transfer{Debit: 1, Credit: 2, Amount: 5}, 100)
	l.Reserve(9, Transfer{Debit: 1, Credit: 2, Amount: 5}, 50)
	if _, r := l.Resolve(9, 0, false, 50); r != ErrPendingExpired {
		t.Fatalf("post at the deadline: %s", r)
	}
	expired := l.ExpireDue(100)
	if len(expired) != 2 || expired[0].ID != 9 || expired[1].ID != 8 {
		t.Fatalf("ExpireDue = %+v; want 9 then 8", expired)
	}
	if l.PendingCount() != 0 || !l.Account(1).DebitsPending.IsZero() {
		t.Fatal("expired reservations still hold funds")
	}
}

func TestLinkedRollback(t *testing.T) {
	l := book(t)
	before := append([]Account(nil), l.Accounts()...)
	l.Begin()
	if r := l.Post(Transfer{Debit: 1, Credit: 2, Amount: 70}); r != OK {
		t.Fatal(r)
	}
	if r := l.Reserve(3, Transfer{Debit: 2, Credit: 1, Amount: 10}, 0); r != OK {
		t.Fatal(r)
	}
	if r := l.Post(Transfer{Debit: 1, Credit: 2, Amount: 31}); r != ErrExceedsFloor {
		t.Fatalf("third leg = %s; want exceeds floor", r)
	}
	l.Rollback()
	for i, a := range l.Accounts() {
		if a != before[i] {
			t.Errorf("account %d after rollback = %+v; want %+v", i, a, before[i])
		}
	}
	if l.PendingCount() != 0 {
		t.Error("a reservation of the rolled-back batch survived")
	}
	if _, err := l.CheckConservation(1); err != nil {
		t.Error(err)
	}
}

func TestOverflowRefused(t *testing.T) {
	l := book(t)
	a := l.Account(2)
	a.CreditsPosted = money.Uint128{Hi: ^uint64(0), Lo: ^uint64(0) - 5}
	a.DebitsPosted = a.CreditsPosted
	if r := l.Post(Transfer{Debit: 1, Credit: 2, Amount: 10}); r != ErrOverflow {
		t.Fatalf("credit past 2^128 = %s; want overflow", r)
	}
}
