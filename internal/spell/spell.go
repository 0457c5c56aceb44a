// Package spell finds the word a misspelt one was meant to be: the edit
// distance of two words, and the nearest of a set of known words when it
// is close enough to be a likely typo. Messages use it to say "did you
// mean ...?".
package spell

import "strings"

// Distance is the Levenshtein distance of a and b, transposing two
// neighbouring letters counting as one edit. Words longer than 64 bytes
// are compared whole (0 when equal, the longer length otherwise): nobody
// misspells such a word, and the table would grow with its square.
func Distance(a, b string) int {
	if len(a) > 64 || len(b) > 64 {
		if a == b {
			return 0
		}
		return max(len(a), len(b))
	}
	prev2 := make([]int, len(b)+1)
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(b)]
}

// Nearest is the word of known closest to word, ignoring case, when it is
// close enough to be a likely typo of it; "" when none is. Close enough
// is one edit for a word of up to four letters, two up to nine, three
// beyond; a known word of three letters or more that word begins with, or
// that begins with word, is close too (hash for hashed, descending for
// desc). Of two as close, the one that begins with word's first letter
// wins, then the first of known.
func Nearest(word string, known ...string) string {
	w := strings.ToLower(strings.TrimSpace(word))
	if w == "" {
		return ""
	}
	limit := 1 + len(w)/5
	best, bestDist := "", limit+1
	for _, k := range known {
		lk := strings.ToLower(k)
		d := Distance(w, lk)
		if d > limit && len(w) >= 3 && len(lk) >= 3 && (strings.HasPrefix(lk, w) || strings.HasPrefix(w, lk)) {
			d = limit // a prefix either way: as close as the limit allows
		}
		// A tie goes to a word with the same first letter: dsc is desc
		// missing a letter more likely than asc with a wrong one.
		if d < bestDist || d == bestDist && best != "" && lk != "" && lk[0] == w[0] && strings.ToLower(best)[0] != w[0] {
			best, bestDist = k, d
		}
	}
	return best
}

// Hint is "; did you mean PREFIX+WORD?" for the end of a message, or ""
// when word is empty (nothing was near).
func Hint(prefix, word string) string {
	if word == "" {
		return ""
	}
	return "; did you mean " + prefix + word + "?"
}
