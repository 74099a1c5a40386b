package dcc

import (
	"fmt"

	"github.com/fxamacker/cbor/v2"
)

// Certificate is the eu_dcc_v1 content (schema 1.3): one person and
// exactly one of vaccination, test or recovery entries. Only the fields a
// door decision or the guard's comparison needs are decoded.
type Certificate struct {
	Version     string        `cbor:"ver"`
	Name        Name          `cbor:"nam"`
	DateOfBirth string        `cbor:"dob"` // YYYY, YYYY-MM or YYYY-MM-DD, as issued
	Vaccination []Vaccination `cbor:"v"`
	Test        []Test        `cbor:"t"`
	Recovery    []Recovery    `cbor:"r"`
}

// Name is the holder's name as printed and in ICAO transliteration.
type Name struct {
	Family    string `cbor:"fn"`
	FamilyStd string `cbor:"fnt"`
	Given     string `cbor:"gn"`
	GivenStd  string `cbor:"gnt"`
}

// Vaccination is one "v" entry.
type Vaccination struct {
	Target      string  `cbor:"tg"`
	Product     string  `cbor:"mp"`
	Dose        float64 `cbor:"dn"` // number in a series; a float for issuers that encode it so
	SeriesDoses float64 `cbor:"sd"`
	Date        string  `cbor:"dt"` // YYYY-MM-DD
	Country     string  `cbor:"co"`
	ID          string  `cbor:"ci"`
}

// Test is one "t" entry.
type Test struct {
	Target     string `cbor:"tg"`
	Type       string `cbor:"tt"` // LP6464-4 nucleic acid (PCR), LP217198-3 rapid antigen
	SampleTime string `cbor:"sc"` // RFC 3339
	Result     string `cbor:"tr"` // SNOMED: 260415000 not detected
	Country    string `cbor:"co"`
	ID         string `cbor:"ci"`
}

// Recovery is one "r" entry.
type Recovery struct {
	Target    string `cbor:"tg"`
	FirstPos  string `cbor:"fr"`
	ValidFrom string `cbor:"df"`
	ValidTo   string `cbor:"du"`
	Country   string `cbor:"co"`
	ID        string `cbor:"ci"`
}

// Type is which kind of certificate this is.
type Type int

const (
	TypeVaccination Type = iota + 1
	TypeTest
	TypeRecovery
)

func (t Type) String() string {
	switch t {
	case TypeVaccination:
		return "vaccination"
	case TypeTest:
		return "test"
	case TypeRecovery:
		return "recovery"
	}
	return "unknown"
}

// Type returns the certificate's kind; a certificate must hold exactly one
// entry of exactly one kind (the schema's rule), else it is malformed.
func (c *Certificate) Type() (Type, error) {
	n := len(c.Vaccination) + len(c.Test) + len(c.Recovery)
	switch {
	case n != 1:
		return 0, fail(KindMalformed, StageClaims, "certificate holds %d entries, want exactly 1", n)
	case len(c.Vaccination) == 1:
		return TypeVaccination, nil
	case len(c.Test) == 1:
		return TypeTest, nil
	}
	return TypeRecovery, nil
}

// ID is the unique certificate identifier (ci) of its one entry, which
// keys the visitor (hashed) like an IIN.
func (c *Certificate) ID() string {
	switch {
	case len(c.Vaccination) > 0:
		return c.Vaccination[0].ID
	case len(c.Test) > 0:
		return c.Test[0].ID
	case len(c.Recovery) > 0:
		return c.Recovery[0].ID
	}
	return ""
}

// DecodeCertificate decodes the eu_dcc_v1 CBOR.
func DecodeCertificate(raw cbor.RawMessage) (*Certificate, error) {
	var c Certificate
	if err := dec.Unmarshal(raw, &c); err != nil {
		return nil, &Error{Kind: KindMalformed, Stage: StageClaims, Err: fmt.Errorf("eu_dcc_v1: %w", err)}
	}
	return &c, nil
}

// DecodeGeneric decodes CBOR into generic values with the package's
// strict limits (for comparisons with a JSON form).
func DecodeGeneric(raw []byte, v any) error { return dec.Unmarshal(raw, v) }
