package orders

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/tagodm/tagodm/odmtest"
)

func TestMain(m *testing.M) { odmtest.Main(m) }

// newStore is a store on a fresh database with Order's indexes, whose
// queries must all be served by them, and whose clock moves one second
// per order placed, from a fixed time.
func newStore(t *testing.T) *Store {
	t.Helper()
	db := odmtest.Database(t, Order{})
	odmtest.RecordQueries(t, odmtest.FailUnserved)
	s, err := NewStore(db)
	if err != nil {
		t.Fatal(err)
	}
	clock := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	s.now = func() time.Time { clock = clock.Add(time.Second); return clock }
	return s
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	return c
}

func TestOrderDeclarationsAreValid(t *testing.T) {
	odmtest.Validate(t, Order{})
}

func TestRecentIsNewestFirstAndPerCustomer(t *testing.T) {
	s := newStore(t)
	for _, p := range []struct{ order, customer string }{
		{"o1", "c1"}, {"o2", "c2"}, {"o3", "c1"}, {"o4", "c1"},
	} {
		if _, err := s.Place(ctx(t), p.order, p.customer, 1000); err != nil {
			t.Fatal(err)
		}
	}
	got, err := s.Recent(ctx(t), "c1", 2)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].OrderID != "o4" || got[1].OrderID != "o3" {
		t.Fatalf("Recent(c1, 2) = %+v, want o4 then o3", got)
	}
	if !got[0].PlacedAt.After(got[1].PlacedAt) || got[0].Status != Open || got[0].CustomerID != "c1" {
		t.Errorf("Recent(c1, 2)[0] = %+v", got[0])
	}
	none, err := s.Recent(ctx(t), "c9", 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(none) != 0 {
		t.Errorf("Recent(c9) = %+v, want none", none)
	}
}

func TestPlacingAnOrderTwiceIsRefused(t *testing.T) {
	s := newStore(t)
	if _, err := s.Place(ctx(t), "o1", "c1", 500); err != nil {
		t.Fatal(err)
	}
	_, err := s.Place(ctx(t), "o1", "c2", 700)
	if !errors.Is(err, ErrDuplicate) {
		t.Fatalf("placing o1 again: %v, want ErrDuplicate", err)
	}
	got, err := s.Recent(ctx(t), "c2", 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 0 {
		t.Errorf("the refused order was stored: %+v", got)
	}
}

func TestShipOnlyOpenOrders(t *testing.T) {
	s := newStore(t)
	for _, id := range []string{"o1", "o2"} {
		if _, err := s.Place(ctx(t), id, "c1", 100); err != nil {
			t.Fatal(err)
		}
	}
	for _, step := range []struct {
		order    string
		shipped  bool
		openLeft int64
	}{{"o1", true, 1}, {"o1", false, 1}, {"o9", false, 1}, {"o2", true, 0}} {
		shipped, err := s.Ship(ctx(t), step.order)
		if err != nil {
			t.Fatal(err)
		}
		open, err := s.CountOpen(ctx(t))
		if err != nil {
			t.Fatal(err)
		}
		if shipped != step.shipped || open != step.openLeft {
			t.Fatalf("Ship(%s) = %v with %d open, want %v with %d", step.order, shipped, open, step.shipped, step.openLeft)
		}
	}
}
