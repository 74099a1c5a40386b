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
	"slices"
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

// Name is l's name in l itself (Қазақша, Русский, English): how a
// language is offered to someone who may read only that one.
func (l Lang) Name() string {
	switch l {
	case KK:
		return "Қазақша"
	case RU:
		return "Русский"
	case EN:
		return "English"
	}
	return string(l)
}

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

// Catalog is the catalogue in a screen's languages: every language's
// strings and reason descriptions, built once (New), and the order the
// screen shows them in. It is a value the screen holds, not package
// state: nothing in this package changes after New.
type Catalog struct {
	langs   []Lang
	text    map[Lang]map[Key]string
	reasons map[Lang]reasonText
}

// New returns the catalogue showing langs, in that order; none (or none
// known) shows all three (Langs). A language listed twice is shown once.
func New(langs ...Lang) *Catalog {
	c := &Catalog{text: map[Lang]map[Key]string{}, reasons: map[Lang]reasonText{}}
	for _, l := range Langs() {
		c.text[l], c.reasons[l] = tableOf(l), reasonsOf(l)
	}
	return c.order(langs)
}

// order is c showing langs.
func (c *Catalog) order(langs []Lang) *Catalog {
	var keep []Lang
	for _, l := range langs {
		if _, ok := c.text[l]; ok && !slices.Contains(keep, l) {
			keep = append(keep, l)
		}
	}
	if len(keep) == 0 {
		keep = Langs()
	}
	return &Catalog{langs: keep, text: c.text, reasons: c.reasons}
}

// WithLangs is the same catalogue showing langs instead (a settings
// screen reorders the languages for a session); c is unchanged.
func (c *Catalog) WithLangs(langs ...Lang) *Catalog { return c.order(langs) }

// Langs returns the languages shown, in order.
func (c *Catalog) Langs() []Lang { return slices.Clone(c.langs) }

// First is the first language shown: the one a line too long for all of
// them is shown in.
func (c *Catalog) First() Lang { return c.langs[0] }

// Has reports whether language l has key k of its own (no fallback).
func (c *Catalog) Has(l Lang, k Key) bool {
	s, ok := c.text[l][k]
	return ok && strings.TrimSpace(s) != ""
}

// tableOf returns language l's strings, made afresh. Values are fmt
// formats when the key takes arguments; every language takes the same
// verbs in the same order (the test checks).
func tableOf(l Lang) map[Key]string {
	switch l {
	case KK:
		return kkTable()
	case RU:
		return ruTable()
	}
	return enTable()
}

// Lookup returns key k in language l, formatted with args. A key a
// language lacks falls back to English and then to the key's own name,
// so a screen never goes blank; the test keeps that from happening.
func (c *Catalog) Lookup(l Lang, k Key, args ...any) string {
	s, ok := c.text[l][k]
	if !ok {
		if s, ok = c.text[EN][k]; !ok {
			s = string(k)
		}
	}
	if len(args) == 0 {
		return s
	}
	return sprintf(s, args...)
}

// Text is key k in the first language.
func (c *Catalog) Text(k Key, args ...any) string { return c.Lookup(c.First(), k, args...) }

// All returns key k in each language shown, in order, with duplicates
// (the same text in two languages, such as a number) shown once.
func (c *Catalog) All(k Key, args ...any) []string {
	out := make([]string, 0, len(c.langs))
	for _, l := range c.langs {
		s := c.Lookup(l, k, args...)
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

// Join is All joined with sep, for a line that shows every language
// together ("КІРІҢІЗ · ПРОХОДИТЕ · ENTER").
func (c *Catalog) Join(sep string, k Key, args ...any) string {
	return strings.Join(c.All(k, args...), sep)
}
