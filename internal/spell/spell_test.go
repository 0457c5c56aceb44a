package spell

import (
	"strings"
	"testing"
)

func TestDistance(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"status", "status", 0},
		{"stauts", "status", 1}, // a transposition is one edit
		{"statu", "status", 1},
		{"kitten", "sitting", 3},
		{"", "abc", 3},
		{"abc", "", 3},
		{strings.Repeat("a", 65), strings.Repeat("a", 65), 0},
		{strings.Repeat("a", 65), strings.Repeat("a", 64) + "b", 65},
	}
	for _, tt := range tests {
		if got := Distance(tt.a, tt.b); got != tt.want {
			t.Errorf("Distance(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestNearest(t *testing.T) {
	known := []string{"asc", "", "index", "uniqueIndex", "sparse", "hashed", "desc", "2d", "2dsphere", "dotProduct"}
	tests := []struct{ word, want string }{
		{"uniqeIndex", "uniqueIndex"},
		{"unique", "uniqueIndex"}, // a prefix of it
		{"spars", "sparse"},
		{"sprase", "sparse"},
		{"Index", "index"}, // case alone
		{"dotproduct", "dotProduct"},
		{"hash", "hashed"},
		{"descending", "desc"},
		{"2dshpere", "2dsphere"},
		{"2e", "2d"},
		{"dsc", "desc"}, // as close to asc, but with desc's first letter
		// Nothing close: no suggestion.
		{"zzzz", ""},
		{"ab", ""},
		{"idx", ""},
		{"", ""},
		{"priority", ""},
	}
	for _, tt := range tests {
		if got := Nearest(tt.word, known...); got != tt.want {
			t.Errorf("Nearest(%q) = %q, want %q", tt.word, got, tt.want)
		}
	}
}
