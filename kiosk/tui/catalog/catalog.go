// Package catalog holds every word the kiosk screen shows, in Kazakh,
// Russian and English, so a screen never carries a string of its own and
// a translation or a wording change touches one package. Keys are typed:
// a screen asks for a Key, never for a string, and the package's test
// fails when a language lacks a key or a reason code lacks a description.
//
// The core's reason.Describe stays English for logs and the CLI; screens
// use Reason here.
package catalog

import (
	"fmt"
	"strings"
)

// Lang is a language the screen can show.
type Lang string

// The languages of the catalogue.
const (
	KK Lang = "kk" // Kazakh
	RU Lang = "ru" // Russian
	EN Lang = "en" // English
)

// Langs returns every language of the catalogue, in the order a venue in
// Kazakhstan shows them by default (state language, then Russian, then
// English for visitors).
func Langs() []Lang { return []Lang{KK, RU, EN} }

// ParseLang turns a config value into a Lang.
func ParseLang(s string) (Lang, error) {
	switch l := Lang(strings.ToLower(strings.TrimSpace(s))); l {
	case KK, RU, EN:
		return l, nil
	}
	return "", fmt.Errorf("unknown language %q (want kk, ru or en)", s)
}

// Key names one screen string.
type Key string

// tables maps each language to its strings. Values are fmt formats when
// the key takes arguments; every language takes the same verbs in the
// same order (the test checks).
func table(l Lang) map[Key]string {
	switch l {
	case KK:
		return kk
	case RU:
		return ru
	}
	return en
}

// Lookup returns key k in language l, formatted with args. A key a
// language lacks falls back to English and then to the key's own name,
// so a screen never goes blank; the test keeps that from happening.
func Lookup(l Lang, k Key, args ...any) string {
	s, ok := table(l)[k]
	if !ok {
		if s, ok = en[k]; !ok {
			s = string(k)
		}
	}
	if len(args) == 0 {
		return s
	}
	return fmt.Sprintf(s, args...)
}

// All returns key k in each of langs, in order, with duplicates (the same
// text in two languages, such as a number) shown once.
func All(langs []Lang, k Key, args ...any) []string {
	out := make([]string, 0, len(langs))
	for _, l := range langs {
		s := Lookup(l, k, args...)
		if !contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

// Join is All joined with sep, for a line that shows every configured
// language together ("КІРІҢІЗ · ПРОХОДИТЕ · ENTER").
func Join(langs []Lang, sep string, k Key, args ...any) string {
	return strings.Join(All(langs, k, args...), sep)
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}
